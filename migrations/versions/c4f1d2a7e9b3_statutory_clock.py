"""statutory clock: late returns, complaint information, deemed refusals, urgent reports

Revision ID: c4f1d2a7e9b3
Revises: 5e0c2b7a9d14
Create Date: 2026-12-05 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f1d2a7e9b3'
down_revision = '5e0c2b7a9d14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_late', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('complaint_info_given', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('deemed_refused_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_column('urgent')
        batch_op.drop_column('deemed_refused_on')
        batch_op.drop_column('complaint_info_given')
        batch_op.drop_column('returned_late')
