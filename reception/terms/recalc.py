"""A change to the working calendar moves the terms it touches (docs/domain.md, 12).

When an administrator adds or removes an override, every undecided appeal whose term spans
that day gets its due date recomputed with the new calendar: the working days it had
(counted from the day after the current body received it) are counted again. A due date
fixed by an extension is a decision: it only moves when it stops being a working day.
Registration dates never move (the receipt is given). Each move is a public event: the
applicant is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.appeals.models import Appeal
from reception.appeals.workflow import WorkflowSettings, apply_transition
from reception.core.web import current_settings
from reception.directory.models import HolidayOverride
from reception.domain.calendar import WorkingCalendar
from reception.domain.workflow import OPEN_STATUSES


@dataclass(frozen=True)
class Move:
    appeal: Appeal
    due_on: date


def moved_due_date(appeal: Appeal, old: WorkingCalendar, new: WorkingCalendar) -> date:
    """The appeal's due date under the new calendar (the same working days counted)."""
    if appeal.extensions_count:
        return new.add_working_days(appeal.due_on, 0)
    start = appeal.received_on or appeal.registered_on
    return new.add_working_days(start, old.working_days_between(start, appeal.due_on))


def _spanning(session: Session, day: date) -> list[Appeal]:
    start = func.coalesce(Appeal.received_on, Appeal.registered_on)
    return list(
        session.scalars(
            select(Appeal)
            .where(Appeal.status.in_(OPEN_STATUSES), start < day, Appeal.due_on >= day)
            .order_by(Appeal.id)
        )
    )


def _calendar_with(country: str, session: Session, day: date, kind: str | None) -> WorkingCalendar:
    rows = session.execute(select(HolidayOverride.day, HolidayOverride.kind)).all()
    overrides = {d: k for d, k in rows if d != day}
    if kind:
        overrides[day] = kind
    return _calendar(
        country,
        frozenset(d for d, k in overrides.items() if k == "day_off"),
        frozenset(d for d, k in overrides.items() if k == "working_day"),
    )


@lru_cache(maxsize=32)
def _calendar(
    country: str, days_off: frozenset[date], working_days: frozenset[date]
) -> WorkingCalendar:
    # The admin page counts the effect of removing each override: one calendar each, built
    # once per process (a calendar is safe to share: it only ever adds whole years).
    return WorkingCalendar(country, extra_days_off=days_off, extra_working_days=working_days)


def planned_moves(
    session: Session, day: date, kind: str | None, settings: WorkflowSettings | None = None
) -> list[Move]:
    """The appeals that move if `day` becomes `kind` (None: the override is removed)."""
    settings = settings or current_settings()
    old = settings.calendar(session)
    new = _calendar_with(settings.filing.country, session, day, kind)
    moves = []
    for appeal in _spanning(session, day):
        due = moved_due_date(appeal, old, new)
        if due != appeal.due_on:
            moves.append(Move(appeal, due))
    return moves


def move_terms(
    session: Session,
    moves: list[Move],
    day: date,
    *,
    actor: User | None,
    now: datetime,
    settings: WorkflowSettings | None = None,
) -> int:
    """Record each move as an event on its appeal and tell the applicant."""
    settings = settings or current_settings()
    for move in moves:
        appeal = move.appeal
        apply_transition(
            session,
            appeal,
            "term_moved",
            actor=None,
            role=None,
            now=now,
            settings=settings,
            comment="",
            data={
                "day": day.isoformat(),
                "from": appeal.due_on.isoformat(),
                "to": move.due_on.isoformat(),
                "by": actor.id if actor else None,
            },
            changes={"due_on": move.due_on},
        )
    return len(moves)


def count_moves(session: Session, day: date, kind: str | None) -> int:
    """How many appeals a change of `day` would move (shown before saving)."""
    return len(planned_moves(session, day, kind))
