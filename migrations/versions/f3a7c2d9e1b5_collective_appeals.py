"""collective appeals (Art. 22): co-applicants of an appeal

Revision ID: f3a7c2d9e1b5
Revises: d8b3c6e1f2a4
Create Date: 2026-12-05 13:15:00.000000
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f3a7c2d9e1b5"
down_revision = "d8b3c6e1f2a4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "co_applicants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("iin", sa.String(length=12), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_co_applicants_appeal_id_appeals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_applicants")),
        sa.UniqueConstraint("appeal_id", "position", name="uq_co_applicants_position"),
    )
    with op.batch_alter_table("co_applicants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_co_applicants_appeal_id"), ["appeal_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("co_applicants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_co_applicants_appeal_id"))
    op.drop_table("co_applicants")
