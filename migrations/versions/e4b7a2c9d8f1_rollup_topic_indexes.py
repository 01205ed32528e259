"""rollups by topic: an index led by the topic

Revision ID: e4b7a2c9d8f1
Revises: c2d8f4a6b1e7
Create Date: 2026-12-05 17:40:00.000000

A dashboard filtered by one topic across every body read the topic grain's primary key
(day, authority, topic): every row of the period, for one topic's few. An index on
(topic, day) reads only that topic's rows; the histograms' carries the bars (an index-only
scan on PostgreSQL).
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "e4b7a2c9d8f1"
down_revision = "c2d8f4a6b1e7"
branch_labels = None
depends_on = None

TABLES = {
    "appeal_rollups_by_topic": [],
    "appeal_rollups_monthly_by_topic": [],
    "appeal_rollup_values_by_topic": ["authority_id", "measure", "value", "count"],
    "appeal_rollup_values_monthly_by_topic": ["authority_id", "measure", "value", "count"],
}


def upgrade():
    for table, included in TABLES.items():
        op.create_index(
            f"ix_{table}_topic",
            table,
            ["category_id", "day"],
            unique=False,
            postgresql_include=included,
        )


def downgrade():
    for table in TABLES:
        op.drop_index(f"ix_{table}_topic", table_name=table)
