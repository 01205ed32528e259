"""rollups per topic only, every body together

Revision ID: f6c1d9e3b2a8
Revises: e4b7a2c9d8f1
Create Date: 2026-12-05 18:10:00.000000

The views of every body by or of one topic (the administrator's dashboard, two years by
topic) read the topic grain, which holds a row per body and topic: some fifty times the rows
they need at national scale. A grain of day (and month) and topic only answers them when no
body is asked for or restricted to. Filled here from the appeals, by the same GROUP BY as
`flask rollups rebuild`.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f6c1d9e3b2a8"
down_revision = "e4b7a2c9d8f1"
branch_labels = None
depends_on = None

KEY = ["day", "category_id"]
SUFFIXES = ("_by_topic_only", "_monthly_by_topic_only")
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

    from reception.monitoring.rollups import TOPIC_ONLY, rebuild

    session = Session(bind=op.get_bind())
    rebuild(session, keys=(TOPIC_ONLY,))
    session.flush()


def downgrade():
    for suffix in reversed(SUFFIXES):
        op.drop_table(f"appeal_rollup_values{suffix}")
        op.drop_table(f"appeal_rollups{suffix}")
