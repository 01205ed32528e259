"""Reads for the officials' side: the queue with its filters, and one appeal's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.appeals import search
from reception.appeals.events import tells_applicant
from reception.appeals.models import Appeal, AppealEvent
from reception.appeals.visibility import visible_appeals
from reception.core import paging
from reception.core.i18n import lazy_gettext as _l
from reception.core.inputs import (
    InputError,
    arg,
    clean_text,
    parse_bool,
    parse_code,
    parse_id,
    parse_int,
)
from reception.directory.models import Category
from reception.domain.calendar import WorkingCalendar
from reception.domain.workflow import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    AppealKind,
    AppealStatus,
    Record,
)

MAX_DUE_WITHIN = 60

# The queue's order, soonest due first: an index on (due_on, id) serves it page by page.
QUEUE_ORDER = paging.Keyset((paging.Key(Appeal.due_on, "date"), paging.Key(Appeal.id, "int")))


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
    after: tuple | None = None  # the keys of the row the page starts after (a cursor)
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        filters = cls()
        errors = filters.errors
        try:
            filters.status = parse_code(
                args.get("status"), (*AppealStatus, "open", "all"), default="open"
            )
        except InputError:
            errors["status"] = _l("Unknown status; showing open appeals.")
        try:
            filters.kind = parse_code(args.get("kind"), tuple(AppealKind))
        except InputError:
            errors["kind"] = _l("Unknown kind; showing every kind.")
        filters.category = arg(args, "category")
        executor = arg(args, "executor")
        if executor in ("", "me", "none"):
            filters.executor = executor
        elif parse_id(executor) is not None:
            filters.executor = str(parse_id(executor))
        try:
            filters.due_within = parse_int(
                args.get("due_within"),
                high=MAX_DUE_WITHIN,
                message=_l("Give a number of working days from 0 to %(n)d.", n=MAX_DUE_WITHIN),
            )
        except InputError as error:
            errors["due_within"] = error.message
        filters.overdue = parse_bool(args.get("overdue"))
        filters.q = clean_text(args.get("q"), 200, one_line=True)
        filters.page = paging.parse_page(args.get("page"))
        try:
            filters.after = QUEUE_ORDER.read_cursor(args.get("after"))
        except InputError as error:
            errors["after"] = error.message
        return filters

    def as_args(self) -> dict:
        """The filters in force as query parameters, for links to other pages of the list:
        only these, never whatever else was in the address bar."""
        args = {
            "status": self.status if self.status != "open" else "",
            "category": self.category,
            "kind": self.kind,
            "executor": self.executor,
            "due_within": "" if self.due_within is None else str(self.due_within),
            "overdue": "1" if self.overdue else "",
            "q": self.q,
        }
        return {name: value for name, value in args.items() if value}


def list_queue(
    session: Session,
    user: User,
    filters: QueueFilters,
    *,
    today: date,
    calendar: WorkingCalendar,
    page_size: int,
) -> paging.Page:
    """The appeals this user may see, filtered, soonest due first: the numbered page of
    `filters`, or the page after the row its cursor names."""
    query = visible_appeals(select(Appeal), user)
    if filters.status == "open":
        query = query.where(Appeal.status.in_(OPEN_STATUSES))
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
        query = query.where(Appeal.is_overdue(today))
    if filters.due_within is not None:
        horizon = calendar.add_working_days(today, filters.due_within)
        query = query.where(Appeal.status.in_(RUNNING_STATUSES), Appeal.due_on <= horizon)
    parsed = search.parse(filters.q)
    query = search.apply(query, session, parsed)
    counted = search.capped_count(session, query)
    page = paging.paginate(
        session,
        query.options(
            selectinload(Appeal.category),
            selectinload(Appeal.executor),
            selectinload(Appeal.authority),
        ),
        page=filters.page,
        per_page=page_size,
        keyset=QUEUE_ORDER,
        after=filters.after,
        counted=counted,
    )
    page.search = parsed
    return page


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
    """The steps to tell the applicant of (events.tells_applicant) after the last recorded
    notice."""
    told = max((e.created_at for e in events if e.action == Record.notified), default=None)
    return [e for e in events if tells_applicant(e) and (told is None or e.created_at > told)]


def notices_due(events: list[AppealEvent], appeal: Appeal) -> list[AppealEvent]:
    """What an applicant without e-mail has still to be told by post or phone."""
    return [] if appeal.email else _untold(events)


def appeals_with_notices_due(appeals: list[Appeal]) -> set[int]:
    """Which of these appeals (a page of the queue) wait for a notice by post or phone."""
    return {a.id for a in appeals if a.notice_due and not a.email}


def appeals_to_notify(session: Session, user: User, limit: int = 50) -> list[Appeal]:
    """The appeals this staff member sees whose applicant, without e-mail, has news still to
    be told by post or phone (whatever the queue's filters show), soonest due first: read
    from the partial index of the flagged few, whatever the size of the archive."""
    return list(
        session.scalars(
            visible_appeals(select(Appeal).where(Appeal.notice_due, Appeal.email == ""), user)
            .order_by(Appeal.due_on, Appeal.id)
            .limit(limit)
        )
    )
