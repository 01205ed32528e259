"""close the loop: repeat appeals and the applicant's "was it resolved?" answer

Revision ID: d8e5f1a2b3c4
Revises: c7e4a1f09b52
Create Date: 2026-12-05 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8e5f1a2b3c4'
down_revision = 'c7e4a1f09b52'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeat_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolved', sa.Boolean(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appeals_repeat_of_id'), ['repeat_of_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_appeals_repeat_of_id_appeals'), 'appeals', ['repeat_of_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appeals_repeat_of_id_appeals'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appeals_repeat_of_id'))
        batch_op.drop_column('resolved')
        batch_op.drop_column('repeat_of_id')
