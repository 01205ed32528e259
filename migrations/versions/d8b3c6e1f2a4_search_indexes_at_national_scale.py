"""national scale: search indexes (tsvector/GIN, pg_trgm; FTS5), queue indexes, daily rollups

Revision ID: d8b3c6e1f2a4
Revises: d8e5f1a2b3c4
Create Date: 2026-12-05 12:20:00.000000

The objects made here are kept outside the ORM models (reception.appeals.search lists them
for the schema comparison): a generated tsvector column and GIN indexes on PostgreSQL, two
FTS5 tables kept by triggers on SQLite. Staff search and the public search of published
answers each have their own index, so the public one cannot reach the unmasked text.

The daily rollups (appeal_rollups, appeal_rollup_values) are filled here from the appeals,
by the same GROUP BY as `flask rollups rebuild`.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d8b3c6e1f2a4"
down_revision = 'd8e5f1a2b3c4'
branch_labels = None
depends_on = None


def _vector(*columns):
    # Punctuation becomes a space before the 'simple' parser sees the text, so that words are
    # split exactly as SQLite's unicode61 tokenizer splits them (no e-mail, URL or signed
    # number tokens): the same words find the same appeals on both databases.
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"to_tsvector('simple'::regconfig, regexp_replace({joined}, '[[:punct:]]+', ' ', 'g'))"


POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE appeals ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({_vector('subject', 'text', 'full_name')}) STORED",
    "ALTER TABLE appeals ADD COLUMN published_search_vector tsvector "
    f"GENERATED ALWAYS AS ({_vector('published_subject', 'published_answer')}) STORED",
    "CREATE INDEX ix_appeals_search ON appeals USING gin (search_vector)",
    "CREATE INDEX ix_appeals_published_search ON appeals USING gin (published_search_vector) "
    "WHERE publish_consent AND published_answer IS NOT NULL",
    "CREATE INDEX ix_appeals_number_trgm ON appeals USING gin (number gin_trgm_ops)",
    # The newest published answers first, without reading the archive (/stats).
    "CREATE INDEX ix_appeals_published_answered ON appeals (answered_at DESC, id DESC) "
    "WHERE publish_consent AND published_answer IS NOT NULL",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_appeals_published_answered",
    "DROP INDEX IF EXISTS ix_appeals_number_trgm",
    "DROP INDEX IF EXISTS ix_appeals_published_search",
    "DROP INDEX IF EXISTS ix_appeals_search",
    "ALTER TABLE appeals DROP COLUMN IF EXISTS published_search_vector",
    "ALTER TABLE appeals DROP COLUMN IF EXISTS search_vector",
]


def _fts(name, columns):
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"DROP TABLE IF EXISTS {name}",
        f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content='appeals', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER {name}_ai AFTER INSERT ON appeals BEGIN "
        f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {name}_ad AFTER DELETE ON appeals BEGIN "
        f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {name}_au AFTER UPDATE OF {cols} ON appeals BEGIN "
        f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {name}({name}) VALUES ('rebuild')",
    ]


SQLITE_UP = _fts("appeals_search", ("subject", "text", "full_name")) + _fts(
    "appeals_published_search", ("published_subject", "published_answer")
)
SQLITE_DOWN = [
    f"DROP {kind} IF EXISTS {name}{suffix}"
    for name in ("appeals_search", "appeals_published_search")
    for kind, suffix in (("TRIGGER", "_ai"), ("TRIGGER", "_ad"), ("TRIGGER", "_au"), ("TABLE", ""))
]


# B-tree indexes of the models: the queue's order, Open311's window, the export's order.
INDEXES = (
    ("ix_appeals_authority_due_id", ["authority_id", "due_on", "id"]),
    ("ix_appeals_due_id", ["due_on", "id"]),
    ("ix_appeals_received_at", ["received_at"]),
    ("ix_appeals_registered_id", ["registered_on", "id"]),
)


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


CELL_NAMES = ["day", "authority_id", "category_id", "region_id", "kind", "channel"]
# (table suffix, key columns): every cell, and day and authority only.
GRAINS = (("", CELL_NAMES), ("_by_authority", ["day", "authority_id"]))
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


def _rollup_tables():
    for suffix, key in GRAINS:
        op.create_table(
            f"appeal_rollups{suffix}",
            *_cell(key),
            *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS],
            sa.PrimaryKeyConstraint(*key, name=f"pk_appeal_rollups{suffix}"),
        )
        op.create_table(
            f"appeal_rollup_values{suffix}",
            *_cell(key),
            sa.Column("measure", sa.String(length=16), nullable=False),
            sa.Column("value", sa.Integer(), nullable=False),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint(*key, "measure", "value", name=f"pk_appeal_rollup_values{suffix}"),
        )


def _fill_rollups():
    """Nothing here: the rollups are filled from the appeals by revision a4c9e2f7b1d3, once
    their columns are final (the rebuild writes every counter the models know)."""


def upgrade():
    _rollup_tables()
    _fill_rollups()
    for name, columns in INDEXES:
        op.create_index(name, "appeals", columns, unique=False)
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_UP if dialect == "postgresql" else SQLITE_UP:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_DOWN if dialect == "postgresql" else SQLITE_DOWN:
        op.execute(statement)
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="appeals")
    for suffix, _ in reversed(GRAINS):
        op.drop_table(f"appeal_rollup_values{suffix}")
        op.drop_table(f"appeal_rollups{suffix}")
