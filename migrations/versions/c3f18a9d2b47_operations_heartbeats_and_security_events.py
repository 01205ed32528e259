"""operations: heartbeats, security events, the request id of outbox messages

Revision ID: c3f18a9d2b47
Revises: c5e2a7f14b90
Create Date: 2026-12-05 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import reception.core.types


# revision identifiers, used by Alembic.
revision = 'c3f18a9d2b47'
down_revision = 'c5e2a7f14b90'
branch_labels = None
depends_on = None

# The application only adds security events; the daily job deletes the old ones. On
# PostgreSQL the database itself refuses to change a stored event.
REFUSE_UPDATE_FUNCTION = """
CREATE OR REPLACE FUNCTION security_events_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'security_events is append-only: rows cannot be changed';
END;
$$ LANGUAGE plpgsql
"""
REFUSE_UPDATE_TRIGGER = """
CREATE TRIGGER security_events_append_only BEFORE UPDATE ON security_events
FOR EACH ROW EXECUTE FUNCTION security_events_refuse_update()
"""


def upgrade():
    op.create_table('heartbeats',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('beat_at', reception.core.types.UTCDateTime(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeats'))
    )
    op.create_table('security_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', reception.core.types.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events'))
    )
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_events_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_security_events_kind_at', ['kind', 'at'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(REFUSE_UPDATE_FUNCTION)
        op.execute(REFUSE_UPDATE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS security_events_append_only ON security_events')
        op.execute('DROP FUNCTION IF EXISTS security_events_refuse_update()')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('request_id')

    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.drop_index('ix_security_events_kind_at')
        batch_op.drop_index(batch_op.f('ix_security_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_security_events_at'))

    op.drop_table('security_events')
    op.drop_table('heartbeats')
