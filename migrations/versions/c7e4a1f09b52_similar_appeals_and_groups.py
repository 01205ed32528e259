"""similar appeals and groups answered once

Revision ID: c7e4a1f09b52
Revises: c3f18a9d2b47
Create Date: 2026-12-05 11:45:00.000000

On PostgreSQL similar appeals are scored by pg_trgm's similarity(). The migration creates
the extension when it may; when the database user lacks the right, it says so and goes on
(similar appeals are then scored in Python, with the same formula and the same candidates).
Ask the database owner to run `CREATE EXTENSION pg_trgm;` to score them in the database.
"""
import logging

from alembic import op
import sqlalchemy as sa

import reception.core.types


# revision identifiers, used by Alembic.
revision = 'c7e4a1f09b52'
down_revision = 'c3f18a9d2b47'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _has_pg_trgm(bind) -> bool:
    """Create pg_trgm if this user may; False (with a warning) when it is not there."""
    installed = bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    ).scalar()
    if installed:
        return True
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        log.warning(
            "pg_trgm is not installed and this database user may not install it (%s). "
            "Similar appeals will be scored in Python. To score them in the database, run "
            "as the database owner: CREATE EXTENSION pg_trgm;",
            str(error.orig).strip().splitlines()[0],
        )
        return False
    savepoint.commit()
    return True


def _backfill(bind) -> None:
    """Fill similarity_text for the appeals filed before this migration, in batches."""
    from reception.domain.similarity import normalise

    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, subject, text FROM appeals WHERE id > :last ORDER BY id LIMIT 5000"
            ),
            {"last": last},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text("UPDATE appeals SET similarity_text = :value WHERE id = :id"),
            [{"id": row.id, "value": normalise(row.subject, row.text)} for row in rows],
        )
        last = rows[-1].id


def _backfill_forwards(bind) -> None:
    """The body each forwarded appeal was last forwarded from, read from its history."""
    import json

    codes = dict(bind.execute(sa.text("SELECT code, id FROM authorities")).all())
    rows = bind.execute(
        sa.text("SELECT appeal_id, data FROM appeal_events WHERE action = 'forward' ORDER BY id")
    ).all()
    last = {}
    for appeal_id, data in rows:
        data = json.loads(data) if isinstance(data, str) else (data or {})
        if data.get("from") in codes:
            last[appeal_id] = codes[data["from"]]
    if last:
        bind.execute(
            sa.text("UPDATE appeals SET forwarded_from_id = :body WHERE id = :id"),
            [{"id": appeal_id, "body": body} for appeal_id, body in last.items()],
        )


def upgrade():
    op.create_table('appeal_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', reception.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_appeal_groups_authority_id_authorities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_appeal_groups_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_groups'))
    )
    with op.batch_alter_table('appeal_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_groups_authority_id'), ['authority_id'], unique=False)

    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('similarity_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('forwarded_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appeals_group_id'), ['group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appeals_group_id_appeal_groups'), 'appeal_groups', ['group_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_appeals_forwarded_from_id_authorities'), 'authorities', ['forwarded_from_id'], ['id'])

    bind = op.get_bind()
    _backfill(bind)
    _backfill_forwards(bind)
    op.create_index('ix_appeals_similar_window', 'appeals', ['authority_id', 'registered_on'], postgresql_include=['id', 'status', 'similarity_text'])
    op.create_index('ix_appeals_forwarded_from', 'appeals', ['forwarded_from_id', 'registered_on'], postgresql_include=['id', 'authority_id', 'similarity_text'])
    if bind.dialect.name == "postgresql":
        _has_pg_trgm(bind)


def downgrade():
    op.drop_index('ix_appeals_forwarded_from', table_name='appeals')
    op.drop_index('ix_appeals_similar_window', table_name='appeals')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appeals_forwarded_from_id_authorities'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_appeals_group_id_appeal_groups'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appeals_group_id'))
        batch_op.drop_column('forwarded_from_id')
        batch_op.drop_column('group_id')
        batch_op.drop_column('similarity_text')

    with op.batch_alter_table('appeal_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_groups_authority_id'))

    op.drop_table('appeal_groups')
