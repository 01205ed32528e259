"""Repeat appeals: the same applicant asking again about a topic that was decided.

A new appeal is a repeat of an earlier one when both come from the same applicant (the same
IIN; when the new appeal has no IIN, the same e-mail address on an earlier appeal without an
IIN either), are on the same topic (category), and the earlier one was answered within the
repeat window (RECEPTION_REPEAT_MONTHS, 12 by default) before the new one was filed. It is
linked to the most recent such answer. Complaints are not repeats: they are the statutory
way to contest an answer, linked to it as their parent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception.appeals.models import Appeal
from reception.domain.workflow import AppealKind


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the last day when that day is missing)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise ValueError(moment)  # pragma: no cover - day 28 exists in every month


def find_repeat_of(
    session: Session, appeal: Appeal, *, now: datetime, months: int
) -> Appeal | None:
    """The earlier appeal this new (not yet added) one repeats, or None."""
    if months <= 0 or appeal.kind == AppealKind.complaint or appeal.parent is not None:
        return None
    category_id = appeal.category_id if appeal.category_id else appeal.category.id
    query = select(Appeal).where(
        Appeal.category_id == category_id,
        Appeal.answered_at.is_not(None),
        Appeal.answered_at >= months_before(now, months),
        Appeal.answered_at <= now,
    )
    if appeal.iin:
        query = query.where(Appeal.iin == appeal.iin)
    elif appeal.email:
        query = query.where(
            Appeal.iin.is_(None), func.lower(Appeal.email) == appeal.email.strip().lower()
        )
    else:
        return None
    return session.scalars(
        query.order_by(Appeal.answered_at.desc(), Appeal.id.desc()).limit(1)
    ).first()
