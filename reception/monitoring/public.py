"""What the public may see: per-body figures and answers published with consent.

Only the published copies (made once by the redaction scanner, see
reception.appeals.publishing) are read and searched here: a search can never match, and so
never reveal one character at a time, a text that is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from reception.appeals.models import Appeal


@dataclass
class PublishedAnswer:
    number: str
    subject: str
    category: object
    authority: object
    answered_at: object
    text: str


def list_published_answers(
    session: Session, *, q: str, page: int, page_size: int
) -> tuple[list[PublishedAnswer], int]:
    """Answered appeals whose applicants agreed to publication, newest first, searchable."""
    query = select(Appeal).where(
        Appeal.publish_consent,
        Appeal.status.in_(("answered", "closed")),
        Appeal.published_answer.is_not(None),
        Appeal.published_subject.is_not(None),
    )
    if q:
        pattern = (
            "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(Appeal.published_subject).like(pattern, escape="\\"),
                func.lower(Appeal.published_answer).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    appeals = session.scalars(
        query.options(selectinload(Appeal.category), selectinload(Appeal.authority))
        .order_by(Appeal.answered_at.desc(), Appeal.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return [
        PublishedAnswer(
            number=appeal.number,
            subject=appeal.published_subject,
            category=appeal.category,
            authority=appeal.authority,
            answered_at=appeal.answered_at,
            text=appeal.published_answer,
        )
        for appeal in appeals
    ], total
