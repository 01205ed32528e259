"""revocable sessions and secrets at rest

Server-side session records; second-factor failures counted per person; second-factor
secrets encrypted with their own key; submission keys of the appeal form kept as hashes.

Revision ID: 5e0c2b7a9d14
Revises: c7d2e4a91f03
Create Date: 2026-12-05 11:40:00.000000

"""
import hashlib

from alembic import op
import sqlalchemy as sa

import reception.core.types


# revision identifiers, used by Alembic.
revision = '5e0c2b7a9d14'
down_revision = 'c7d2e4a91f03'
branch_labels = None
depends_on = None


def _secret_box():
    # The keys come from the settings of the app running the migration (`flask db upgrade`).
    from flask import current_app

    from reception.accounts.secret_box import SecretBox

    return SecretBox.from_config(current_app.config)


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', reception.core.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', reception.core.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', reception.core.types.UTCDateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255), existing_nullable=True)
        batch_op.add_column(sa.Column('two_factor_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('two_factor_failed_since', reception.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('two_factor_locked_until', reception.core.types.UTCDateTime(), nullable=True))

    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))).all()
    if rows:
        box = _secret_box()
        for row in rows:
            connection.execute(users.update().where(users.c.id == row.id).values(totp_secret=box.encrypt(row.totp_secret)))

    # Only the hash of a submission key is kept (appeals.services.submission_key_hash).
    appeals = sa.table('appeals', sa.column('id', sa.Integer), sa.column('submission_key', sa.String))
    rows = connection.execute(sa.select(appeals.c.id, appeals.c.submission_key).where(appeals.c.submission_key.is_not(None))).all()
    for row in rows:
        digest = hashlib.sha256(row.submission_key.encode('utf-8')).hexdigest()
        connection.execute(appeals.update().where(appeals.c.id == row.id).values(submission_key=digest))


def downgrade():
    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))).all()
    if rows:
        box = _secret_box()
        for row in rows:
            connection.execute(users.update().where(users.c.id == row.id).values(totp_secret=box.decrypt(row.totp_secret)))
    # Submission keys cannot be recovered from their hashes: forms sent before the upgrade
    # file again if sent again after a downgrade.
    op.execute("UPDATE appeals SET submission_key = NULL")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('two_factor_locked_until')
        batch_op.drop_column('two_factor_failed_since')
        batch_op.drop_column('two_factor_failures')
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64), existing_nullable=True)

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
