"""How every date of a term was reached, step by step (docs/domain.md, section 11).

Pure functions: they take the calendar, the rules and the appeal's history as plain
values and return `TermStep`s carrying machine codes, dates and English holiday names;
the web layer turns them into sentences in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from reception.domain.calendar import WorkingCalendar
from reception.domain.deadlines import TermRules, resume_after_pause, zone_info

_ONE_DAY = timedelta(days=1)

# Step codes, in the order they can appear.
RECEIVED = "received"  # at: local date-time
REGISTERED = "registered"  # reason: same_day | after_cutoff | day_off
TERM = "term"  # days: the term in working days, reason: the kind
DAY_ONE = "day_one"
SKIPPED = "skipped"  # reason: holiday | transfer | override | weekend; name
WEEKENDS = "weekends"  # days: Saturdays and Sundays skipped in one stretch
WORKING_WEEKEND = "working_weekend"  # a decreed (or an override's) working Saturday/Sunday
FORWARDED = "forwarded"  # on: received by the new body; late; name: the body's code
PAUSED = "paused"  # on: paused, until: resumed (None: still waiting), days added
EXTENDED = "extended"  # on: new due, previous: old due, asked (when moved), name: reason
RECALCULATED = "recalculated"  # a calendar change moved the date: previous -> on, day
DUE = "due"  # the last day of the term

# Reasons a day is not a working day.
HOLIDAY = "holiday"
TRANSFER = "transfer"  # a day off decreed by the government (a moved working day)
OVERRIDE = "override"  # an administrator's entry
WEEKEND = "weekend"


@dataclass(frozen=True)
class TermStep:
    """One line of an explanation; dates are local calendar dates."""

    code: str
    on: date | None = None
    at: datetime | None = None
    reason: str = ""
    name: str = ""
    days: int = 0
    until: date | None = None
    previous: date | None = None
    asked: date | None = None
    late: bool = False

    def as_dict(self) -> dict:
        """A JSON-ready form: ISO dates, empty values left out."""
        out: dict = {"step": self.code}
        for key in ("on", "until", "previous", "asked"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.isoformat()
        if self.at is not None:
            out["at"] = self.at.isoformat()
        if self.reason:
            out["reason"] = self.reason
        if self.name:
            out["name"] = self.name
        if self.code in (TERM, WEEKENDS, PAUSED):
            out["days"] = self.days
        if self.code == FORWARDED:
            out["late"] = self.late
        return out


@dataclass(frozen=True)
class TermChange:
    """Something in an appeal's history that moved its term.

    action: "forward" (received_on, due_on, late, name), "pause" (on = paused,
    until = resumed or None), "extend" (due_on, asked, name = the decision's reason),
    "recalculate" (due_on, day = the calendar day that changed).
    """

    action: str
    on: date
    due_on: date | None = None
    received_on: date | None = None
    until: date | None = None
    asked: date | None = None
    day: date | None = None
    late: bool = False
    name: str = ""


@lru_cache(maxsize=64)
def _holiday_names(country: str, year: int, language: str) -> Mapping[date, str]:
    try:
        source = holidays.country_holidays(
            country, years=range(year - 1, year + 2), language=language
        )
    except NotImplementedError:
        return MappingProxyType({})
    return MappingProxyType({d: name for d, name in source.items() if d.year == year})


def holiday_name(country: str, day: date, language: str = "en_US") -> str:
    """The package's name of a public holiday or decreed day off ('' when none)."""
    return _holiday_names(country, day.year, language).get(day, "")


def is_decreed_transfer(name: str) -> bool:
    """True for the package's name of a day off moved by a government decree."""
    return name.startswith("Day off")


def why_not_working(
    day: date, calendar: WorkingCalendar, notes: Mapping[date, str] = MappingProxyType({})
) -> tuple[str, str]:
    """Return (reason, name) for a non-working day: override, transfer, holiday, weekend."""
    if day in calendar.extra_days_off:
        return OVERRIDE, notes.get(day, "")
    name = holiday_name(calendar.country, day)
    if name:
        return (TRANSFER if is_decreed_transfer(name) else HOLIDAY), name
    return WEEKEND, ""


def _stretch(
    start: date,
    end: date,
    calendar: WorkingCalendar,
    notes: Mapping[date, str],
) -> list[TermStep]:
    """The non-working days in (start, end], weekends counted in one line."""
    steps: list[TermStep] = []
    weekends = 0
    day = start + _ONE_DAY
    while day <= end:
        if not calendar.is_working_day(day):
            reason, name = why_not_working(day, calendar, notes)
            if reason == WEEKEND:
                weekends += 1
            else:
                steps.append(TermStep(SKIPPED, on=day, reason=reason, name=name))
        elif day.weekday() >= 5:
            reason = OVERRIDE if day in calendar.extra_working_days else TRANSFER
            steps.append(TermStep(WORKING_WEEKEND, on=day, reason=reason, name=notes.get(day, "")))
        day += _ONE_DAY
    if weekends:
        steps.append(TermStep(WEEKENDS, days=weekends))
    return steps


def _term(
    start: date, days: int, calendar: WorkingCalendar, notes: Mapping[date, str]
) -> tuple[date, list[TermStep]]:
    due = calendar.add_working_days(start, days)
    steps = [TermStep(DAY_ONE, on=calendar.add_working_days(start, 1))]
    return due, steps + _stretch(start, due, calendar, notes)


def explain_registration(
    received_at: datetime,
    kind: str,
    rules: TermRules,
    calendar: WorkingCalendar,
    notes: Mapping[date, str] = MappingProxyType({}),
) -> tuple[date, date, list[TermStep]]:
    """Return (registered_on, due_on, steps) for an appeal received at an aware instant.

    The dates are those of `registration_date` and `due_date` (Art. 64, 76); the steps
    say why: the local time, the cut-off, the days off, the term and each day skipped.
    """
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware")
    local = received_at.astimezone(zone_info(rules.timezone))
    local_day = local.date()
    if not calendar.is_working_day(local_day):
        registered_on, reason = calendar.next_working_day(local_day), "day_off"
    elif local.time() >= rules.cutoff:
        registered_on, reason = calendar.next_working_day(local_day), "after_cutoff"
    else:
        registered_on, reason = local_day, "same_day"
    steps = [
        TermStep(RECEIVED, at=local.replace(microsecond=0)),
        TermStep(REGISTERED, on=registered_on, reason=reason),
    ]
    if reason == "day_off":
        why, name = why_not_working(local_day, calendar, notes)
        steps[-1] = TermStep(REGISTERED, on=registered_on, reason=reason, name=name)
        if why != WEEKEND:
            steps.append(TermStep(SKIPPED, on=local_day, reason=why, name=name))
    days = rules.term_for(kind)
    steps.append(TermStep(TERM, days=days, reason=str(kind)))
    due, stretch = _term(registered_on, days, calendar, notes)
    steps += stretch
    return registered_on, due, [*steps, TermStep(DUE, on=due)]


def explain_appeal(
    *,
    received_at: datetime,
    kind: str,
    due_on: date,
    rules: TermRules,
    calendar: WorkingCalendar,
    changes: Iterable[TermChange] = (),
    notes: Mapping[date, str] = MappingProxyType({}),
) -> list[TermStep]:
    """Every step from receipt to the current due date, forwards, pauses and extensions.

    The recorded dates win: a forward's and an extension's dates are those the event
    recorded; when the replayed date differs from the stored `due_on` (a calendar change
    recorded nowhere else), a last `recalculated` step says so.
    """
    _, due, steps = explain_registration(received_at, kind, rules, calendar, notes)
    steps.pop()  # the DUE step comes last, after the history
    days = rules.term_for(kind)
    for change in changes:
        if change.action == "forward" and change.received_on is not None:
            steps.append(
                TermStep(FORWARDED, on=change.received_on, late=change.late, name=change.name)
            )
            computed, stretch = _term(change.received_on, days, calendar, notes)
            steps += stretch
            due = change.due_on or computed
        elif change.action == "pause":
            if change.until is None:
                steps.append(TermStep(PAUSED, on=change.on))
                continue
            added = calendar.working_days_between(change.on, change.until)
            new_due = resume_after_pause(due, change.on, change.until, calendar)
            steps.append(
                TermStep(PAUSED, on=change.on, until=change.until, days=added, previous=due)
            )
            steps += _stretch(due, new_due, calendar, notes)
            due = new_due
        elif change.action == "extend" and change.due_on is not None:
            steps.append(
                TermStep(
                    EXTENDED,
                    on=change.due_on,
                    previous=due,
                    asked=change.asked,
                    reason="moved" if change.asked else "",
                    name=change.name,
                )
            )
            due = change.due_on
        elif change.action == "recalculate" and change.due_on is not None:
            steps.append(TermStep(RECALCULATED, on=change.due_on, previous=due, until=change.day))
            due = change.due_on
    if due != due_on:
        steps.append(TermStep(RECALCULATED, on=due_on, previous=due))
    steps.append(TermStep(DUE, on=due_on))
    return steps


@dataclass(frozen=True)
class YearCertainty:
    """What the calendar knows about a year (docs/domain.md, section 5)."""

    year: int
    confirmed_transfers: tuple[tuple[date, str], ...] = field(default=())
    estimates: tuple[tuple[date, str], ...] = field(default=())
    overrides: tuple[date, ...] = field(default=())

    @property
    def has_confirmed_transfers(self) -> bool:
        """True when a decree for the year is known (in the package or an override)."""
        return bool(self.confirmed_transfers or self.overrides)


def year_certainty(year: int, calendar: WorkingCalendar) -> YearCertainty:
    """Which decreed transfers are known for a year and which holiday dates are estimates."""
    names = _holiday_names(calendar.country, year, "en_US")
    transfers = tuple(sorted((d, n) for d, n in names.items() if is_decreed_transfer(n)))
    estimates = tuple(sorted((d, n) for d, n in names.items() if "(estimated)" in n))
    overrides = tuple(
        sorted(d for d in calendar.extra_days_off | calendar.extra_working_days if d.year == year)
    )
    return YearCertainty(year, transfers, estimates, overrides)
