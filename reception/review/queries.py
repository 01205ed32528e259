"""Reads for the officials' side: the queue with its filters, and one appeal's history."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.appeals.models import KINDS, STATUSES, Appeal, AppealEvent
from reception.directory.models import Category
from reception.domain.calendar import WorkingCalendar
from reception.review.policies import visible_appeals

RUNNING = ("registered", "in_progress")
OPEN = ("registered", "in_progress", "awaiting_citizen")
MAX_DUE_WITHIN = 60


@dataclass
class QueueFilters:
    """The queue's filters as typed in the address bar, checked."""

    status: str = "open"  # a status code, "open" or "all"
    category: str = ""
    kind: str = ""
    executor: str = ""  # "", "me", "none" or a user id
    due_within: int | None = None  # working days
    overdue: bool = False
    q: str = ""
    page: int = 1
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        filters = cls()
        errors = filters.errors
        status = (args.get("status") or "open").strip()
        if status in (*STATUSES, "open", "all"):
            filters.status = status
        else:
            errors["status"] = _l("Unknown status; showing open appeals.")
        kind = (args.get("kind") or "").strip()
        if kind and kind not in KINDS:
            errors["kind"] = _l("Unknown kind; showing every kind.")
        else:
            filters.kind = kind
        filters.category = (args.get("category") or "").strip()[:64]
        executor = (args.get("executor") or "").strip()
        if executor in ("", "me", "none") or executor.isdigit():
            filters.executor = executor
        due_within = (args.get("due_within") or "").strip()
        if due_within:
            if due_within.isdigit() and 0 <= int(due_within) <= MAX_DUE_WITHIN:
                filters.due_within = int(due_within)
            else:
                errors["due_within"] = _l(
                    "Give a number of working days from 0 to %(n)d.", n=MAX_DUE_WITHIN
                )
        filters.overdue = args.get("overdue") in ("1", "on", "true", "y")
        filters.q = " ".join((args.get("q") or "").split())[:200]
        page = (args.get("page") or "1").strip()
        filters.page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
        return filters


@dataclass
class Page:
    items: list[Appeal]
    total: int
    page: int
    pages: int


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_queue(
    session: Session,
    user: User,
    filters: QueueFilters,
    *,
    today: date,
    calendar: WorkingCalendar,
    page_size: int,
) -> Page:
    """The appeals this user may see, filtered, soonest due first."""
    query = visible_appeals(select(Appeal), user)
    if filters.status == "open":
        query = query.where(Appeal.status.in_(OPEN))
    elif filters.status != "all":
        query = query.where(Appeal.status == filters.status)
    if filters.kind:
        query = query.where(Appeal.kind == filters.kind)
    if filters.category:
        query = query.join(Category, Appeal.category_id == Category.id).where(
            Category.code == filters.category
        )
    if filters.executor == "me":
        query = query.where(Appeal.executor_id == user.id)
    elif filters.executor == "none":
        query = query.where(Appeal.executor_id.is_(None))
    elif filters.executor:
        query = query.where(Appeal.executor_id == int(filters.executor))
    if filters.overdue:
        query = query.where(Appeal.status.in_(RUNNING), Appeal.due_on < today)
    if filters.due_within is not None:
        horizon = calendar.add_working_days(today, filters.due_within)
        query = query.where(Appeal.status.in_(RUNNING), Appeal.due_on <= horizon)
    if filters.q:
        pattern = _like_pattern(filters.q)
        query = query.where(
            or_(
                func.lower(Appeal.number).like(pattern, escape="\\"),
                func.lower(Appeal.subject).like(pattern, escape="\\"),
                func.lower(Appeal.text).like(pattern, escape="\\"),
                func.lower(Appeal.full_name).like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    items = session.scalars(
        query.options(
            selectinload(Appeal.category),
            selectinload(Appeal.executor),
            selectinload(Appeal.authority),
        )
        .order_by(Appeal.due_on, Appeal.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page(items=list(items), total=total, page=page, pages=pages)


def all_events(session: Session, appeal: Appeal) -> list[AppealEvent]:
    """The whole history, internal notes included (staff only)."""
    return list(
        session.scalars(
            select(AppealEvent)
            .where(AppealEvent.appeal_id == appeal.id)
            .options(selectinload(AppealEvent.actor), selectinload(AppealEvent.authority))
            .order_by(AppealEvent.created_at, AppealEvent.id)
        )
    )


def _untold(events: list[AppealEvent]) -> list[AppealEvent]:
    """The public steps after the last recorded notice: registration aside (the operator
    hands over the receipt) and the applicant's own steps aside."""
    told = max((e.created_at for e in events if e.action == "notified"), default=None)
    return [
        e
        for e in events
        if e.is_public
        and e.action != "register"
        and e.actor_role != "citizen"
        and (told is None or e.created_at > told)
    ]


def notices_due(events: list[AppealEvent], appeal: Appeal) -> list[AppealEvent]:
    """What an applicant without e-mail has still to be told by post or phone."""
    return [] if appeal.email else _untold(events)


def appeals_with_notices_due(session: Session, appeals: list[Appeal]) -> set[int]:
    """Which of these appeals (a page of the queue) wait for a notice by post or phone."""
    ids = [a.id for a in appeals if not a.email]
    if not ids:
        return set()
    by_appeal: dict[int, list[AppealEvent]] = {}
    for event in session.scalars(
        select(AppealEvent)
        .where(AppealEvent.appeal_id.in_(ids))
        .order_by(AppealEvent.created_at, AppealEvent.id)
    ):
        by_appeal.setdefault(event.appeal_id, []).append(event)
    return {appeal_id for appeal_id, events in by_appeal.items() if _untold(events)}


def appeals_to_notify(session: Session, user: User, limit: int = 50) -> list[Appeal]:
    """The appeals this staff member sees whose applicant, without e-mail, has news still to
    be told by post or phone (whatever the queue's filters show)."""
    candidates = list(
        session.scalars(
            visible_appeals(select(Appeal).where(Appeal.email == ""), user)
            .order_by(Appeal.due_on)
            .limit(500)
        )
    )
    due = appeals_with_notices_due(session, candidates)
    return [a for a in candidates if a.id in due][:limit]
