"""What the public may see: per-body figures and answers published with consent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from reception.appeals.models import Appeal, AppealEvent

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS = re.compile(r"(?<!\d)(\+?\d[\d\s()-]{8,}\d)(?!\d)")  # phones, IIN/BIN
MASK = "***"


def redact(text: str, appeal: Appeal) -> str:
    """Remove the applicant's name, e-mail, phone, IIN and address from a published text."""
    for part in sorted(
        {*appeal.full_name.split(), appeal.full_name, appeal.address, appeal.email},
        key=len,
        reverse=True,
    ):
        if len(part) >= 3:
            text = re.sub(re.escape(part), MASK, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(MASK, text)
    return _DIGITS.sub(MASK, text)


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
    latest_answer = (
        select(func.max(AppealEvent.id))
        .where(AppealEvent.appeal_id == Appeal.id, AppealEvent.action == "answer")
        .correlate(Appeal)
        .scalar_subquery()
    )
    query = (
        select(Appeal, AppealEvent)
        .join(AppealEvent, AppealEvent.id == latest_answer)
        .where(Appeal.publish_consent, Appeal.status.in_(("answered", "closed")))
    )
    if q:
        pattern = (
            "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(Appeal.subject).like(pattern, escape="\\"),
                func.lower(AppealEvent.comment).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.options(selectinload(Appeal.category), selectinload(Appeal.authority))
        .order_by(Appeal.answered_at.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return [
        PublishedAnswer(
            number=appeal.number,
            subject=redact(appeal.subject, appeal),
            category=appeal.category,
            authority=appeal.authority,
            answered_at=appeal.answered_at,
            text=redact(event.comment, appeal),
        )
        for appeal, event in rows
    ], total
