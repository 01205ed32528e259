"""notices due by post or phone: a flag on the appeal and a partial index

Revision ID: c2d8f4a6b1e7
Revises: b7e3d1c5a9f2
Create Date: 2026-12-05 17:10:00.000000

The queue lists the appeals whose applicant, without e-mail, has news not yet told by post
or phone. It was found by reading the body's appeals without e-mail, soonest due first, and
their whole histories: every appeal of the body when all have e-mail, and at national scale
only the 500 soonest due (long closed and told) when many have none. The flag is kept by the
one function that records events; this fills it from the histories: a public step, not the
registration, not the automatic closing and not the applicant's own, with no recorded notice
at or after it.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c2d8f4a6b1e7"
down_revision = "b7e3d1c5a9f2"
branch_labels = None
depends_on = None

FILL = """
UPDATE appeals SET notice_due = TRUE
 WHERE email = ''
   AND EXISTS (
       SELECT 1 FROM appeal_events AS e
        WHERE e.appeal_id = appeals.id
          AND e.is_public
          AND e.action NOT IN ('register', 'close')
          AND COALESCE(e.actor_role, '') <> 'citizen'
          AND NOT EXISTS (
              SELECT 1 FROM appeal_events AS n
               WHERE n.appeal_id = appeals.id
                 AND n.action = 'notified'
                 AND n.created_at >= e.created_at
          )
   )
"""


def upgrade():
    # A plain ADD COLUMN on both databases: a batch copy of the table on SQLite would drop
    # the triggers that keep its search index.
    op.add_column(
        "appeals", sa.Column("notice_due", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.execute(FILL)
    op.create_index(
        "ix_appeals_notice_due",
        "appeals",
        ["authority_id", "due_on"],
        unique=False,
        postgresql_where=sa.text("notice_due"),
        sqlite_where=sa.text("notice_due"),
    )


def downgrade():
    op.drop_index("ix_appeals_notice_due", table_name="appeals")
    op.drop_column("appeals", "notice_due")
