"""rollups per authority and topic

Revision ID: b7e3d1c5a9f2
Revises: a4c9e2f7b1d3
Create Date: 2026-12-05 16:00:00.000000

A grain between every cell and authority only: per day (and per month) of registration,
authority and topic (category). The dashboards filtered or grouped by topic read it instead
of every cell, which hardly compresses. Filled here from the appeals, by the same GROUP BY
as `flask rollups rebuild`.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7e3d1c5a9f2"
down_revision = "a4c9e2f7b1d3"
branch_labels = None
depends_on = None

KEY = ["day", "authority_id", "category_id"]
SUFFIXES = ("_by_topic", "_monthly_by_topic")
COUNTERS = [
    "filed",
    "open",
    "answered",
    "on_time",
    "forwarded",
    "extensions",
    "rated",
    "rating_sum",
    "late_returns",
    "deemed_refused",
    "answer_days_sum",
    "paused_days_sum",
    "paused_appeals",
    "surveyed",
    "resolved",
    "repeats",
    "answers_repeated",
    "answered_in_0_5",
    "answered_in_6_10",
    "answered_in_11_15",
    "answered_in_16_20",
    "answered_in_21_30",
    "answered_in_31_plus",
]


def _key():
    return [
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
    ]


def upgrade():
    for suffix in SUFFIXES:
        op.create_table(
            f"appeal_rollups{suffix}",
            *_key(),
            *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS],
            sa.PrimaryKeyConstraint(*KEY, name=f"pk_appeal_rollups{suffix}"),
        )
        op.create_table(
            f"appeal_rollup_values{suffix}",
            *_key(),
            sa.Column("measure", sa.String(length=16), nullable=False),
            sa.Column("value", sa.Integer(), nullable=False),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint(
                *KEY, "measure", "value", name=f"pk_appeal_rollup_values{suffix}"
            ),
        )
    from sqlalchemy.orm import Session

    from reception.monitoring.rollups import TOPIC, rebuild

    session = Session(bind=op.get_bind())
    rebuild(session, keys=(TOPIC,))
    session.flush()


def downgrade():
    for suffix in reversed(SUFFIXES):
        op.drop_table(f"appeal_rollup_values{suffix}")
        op.drop_table(f"appeal_rollups{suffix}")
