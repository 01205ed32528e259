"""Change the working calendar: decreed days off and working days the package does not know."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.admin.services.common import Checks, line, record, snapshot
from reception.core.i18n import lazy_gettext as _l
from reception.core.inputs import InputError, parse_date
from reception.directory.models import HolidayOverride
from reception.terms.recalc import move_terms, planned_moves

HOLIDAY_KINDS = ("day_off", "working_day")
NOTE_MAX = 300
# A calendar far outside this is a typing slip, not a decree.
FIRST_YEAR, LAST_YEAR = 2000, 2100
REQUIRED_DATE = _l("Enter the date.")


def add_holiday(
    session: Session, data: Mapping, *, actor: User | None, now: datetime
) -> HolidayOverride:
    """Add a decreed day off or working day; it wins over the holiday package."""
    checks = Checks()
    raw_day = line(data, "day")
    day: date | None = None
    if not raw_day:
        checks.fail("day", REQUIRED_DATE)
    else:
        try:
            day = parse_date(
                raw_day, first=date(FIRST_YEAR, 1, 1), last=date(LAST_YEAR, 12, 31), field="day"
            )
        except InputError:
            day = None
        if day is None:
            checks.fail(
                "day",
                _l(
                    "Enter a real date between %(first)d and %(last)d, like 2026-03-23.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                ),
            )
            day = None
    if day is not None and session.scalar(
        select(HolidayOverride.id).where(HolidayOverride.day == day)
    ):
        checks.fail("day", _l("This date already has an override. Remove it first to change it."))
    kind = line(data, "kind")
    if kind not in HOLIDAY_KINDS:
        checks.fail("kind", _l("Choose whether the day is a day off or a working day."))
    note = line(data, "note")
    checks.text("note", note, NOTE_MAX)
    checks.raise_if_any()
    moves = planned_moves(session, day, kind)  # with the calendar before the change
    override = HolidayOverride(day=day, kind=kind, note=note)
    session.add(override)
    session.flush()
    move_terms(session, moves, day, actor=actor, now=now)  # docs/domain.md, section 12
    record(
        session,
        actor=actor,
        now=now,
        entity="holiday_override",
        entity_id=override.id,
        action="create",
        changes=snapshot(override, ("day", "kind", "note")),
    )
    return override


def remove_holiday(
    session: Session, override: HolidayOverride, *, actor: User | None, now: datetime
) -> None:
    """Remove an override; the package's calendar applies to that day again."""
    moves = planned_moves(session, override.day, None)
    record(
        session,
        actor=actor,
        now=now,
        entity="holiday_override",
        entity_id=override.id,
        action="delete",
        changes=snapshot(override, ("day", "kind", "note"), removed=True),
    )
    session.delete(override)
    session.flush()
    move_terms(session, moves, override.day, actor=actor, now=now)  # docs/domain.md, 12
