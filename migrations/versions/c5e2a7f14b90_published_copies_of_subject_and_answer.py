"""published copies of the subject and the answer (safe publishing)

Revision ID: c5e2a7f14b90
Revises: c4f1d2a7e9b3
Create Date: 2026-12-05 12:10:00.000000

Existing appeals get their published copies from the redaction scanner here, once: their
answers were already public with a weaker mask, and the scanner hides strictly more, so
nothing that was hidden becomes visible, and the public archive stays as it was.
"""

from alembic import op
import sqlalchemy as sa

from reception.domain.redaction import Applicant, publish


# revision identifiers, used by Alembic.
revision = "c5e2a7f14b90"
down_revision = "c4f1d2a7e9b3"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_subject", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("published_answer", sa.Text(), nullable=True))
    fill_published(op.get_bind())


def fill_published(bind):
    """Run the redaction scanner over every appeal's subject and latest answer."""
    appeals = sa.table(
        "appeals",
        sa.column("id", sa.Integer),
        sa.column("subject", sa.String),
        sa.column("language", sa.String),
        sa.column("full_name", sa.String),
        sa.column("iin", sa.String),
        sa.column("email", sa.String),
        sa.column("phone", sa.String),
        sa.column("address", sa.String),
        sa.column("published_subject", sa.Text),
        sa.column("published_answer", sa.Text),
    )
    events = sa.table(
        "appeal_events",
        sa.column("id", sa.Integer),
        sa.column("appeal_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("comment", sa.Text),
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(appeals).where(appeals.c.id > last_id).order_by(appeals.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        answers = {}
        for appeal_id, comment in bind.execute(
            sa.select(events.c.appeal_id, events.c.comment)
            .where(events.c.appeal_id.in_([r.id for r in rows]), events.c.action == "answer")
            .order_by(events.c.id)
        ):
            answers[appeal_id] = comment or ""
        for row in rows:
            applicant = Applicant(
                full_name=row.full_name or "",
                iin=row.iin or "",
                email=row.email or "",
                phone=row.phone or "",
                address=row.address or "",
            )
            subject, _ = publish(row.subject or "", applicant, row.language)
            answer = None
            if row.id in answers:
                answer, _ = publish(answers[row.id], applicant, row.language)
            bind.execute(
                appeals.update()
                .where(appeals.c.id == row.id)
                .values(published_subject=subject, published_answer=answer)
            )
        last_id = rows[-1].id


def downgrade():
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_column("published_answer")
        batch_op.drop_column("published_subject")
