"""monthly rollups, and the honest figures' counters in the rollups

Revision ID: a4c9e2f7b1d3
Revises: f3a7c2d9e1b5
Create Date: 2026-12-05 14:30:00.000000

The daily rollups' two grains per month of registration: a period's whole months are read
from these tables and only the days at its ends from the daily ones. Every grain gets the
counters of the honest figures (reception.monitoring.figures), and the forward events an
index of their own (the cost of misrouting reads them). Filled here from the
appeals, by the same GROUP BY as `flask rollups rebuild`.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a4c9e2f7b1d3"
down_revision = "f3a7c2d9e1b5"
branch_labels = None
depends_on = None

CELL_NAMES = ["day", "authority_id", "category_id", "region_id", "kind", "channel"]
# (table suffix, key columns): every cell, and month and authority only.
GRAINS = (("_monthly", CELL_NAMES), ("_monthly_by_authority", ["day", "authority_id"]))
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
]
NEW_COUNTERS = [
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


def _cell(names):
    types = {
        "day": sa.Date(),
        "authority_id": sa.Integer(),
        "category_id": sa.Integer(),
        "region_id": sa.Integer(),
        "kind": sa.String(length=16),
        "channel": sa.String(length=16),
    }
    return [sa.Column(name, types[name], nullable=False) for name in names]


def upgrade():
    op.create_index(
        "ix_appeal_events_forwards",
        "appeal_events",
        ["appeal_id", "id"],
        unique=False,
        postgresql_where=sa.text("action = 'forward'"),
        sqlite_where=sa.text("action = 'forward'"),
    )
    for suffix in ("", "_by_authority"):
        with op.batch_alter_table(f"appeal_rollups{suffix}") as batch:
            for name in NEW_COUNTERS:
                batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        with op.batch_alter_table(f"appeal_rollups{suffix}") as batch:
            for name in NEW_COUNTERS:
                batch.alter_column(name, server_default=None)
    for suffix, key in GRAINS:
        op.create_table(
            f"appeal_rollups{suffix}",
            *_cell(key),
            *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS + NEW_COUNTERS],
            sa.PrimaryKeyConstraint(*key, name=f"pk_appeal_rollups{suffix}"),
        )
        op.create_table(
            f"appeal_rollup_values{suffix}",
            *_cell(key),
            sa.Column("measure", sa.String(length=16), nullable=False),
            sa.Column("value", sa.Integer(), nullable=False),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint(
                *key, "measure", "value", name=f"pk_appeal_rollup_values{suffix}"
            ),
        )
    from sqlalchemy.orm import Session

    from reception.monitoring.rollups import CELL, COARSE, rebuild

    session = Session(bind=op.get_bind())
    rebuild(session, keys=(CELL, COARSE))  # (the grains whose tables exist at this revision)
    session.flush()


def downgrade():
    op.drop_index("ix_appeal_events_forwards", table_name="appeal_events")
    for suffix, _ in reversed(GRAINS):
        op.drop_table(f"appeal_rollup_values{suffix}")
        op.drop_table(f"appeal_rollups{suffix}")
    for suffix in ("", "_by_authority"):
        with op.batch_alter_table(f"appeal_rollups{suffix}") as batch:
            for name in NEW_COUNTERS:
                batch.drop_column(name)
