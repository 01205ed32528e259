"""Registration dates and terms of consideration (APPC Art. 64, 65, 76, 91-100)."""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reception.domain.calendar import WorkingCalendar

DEFAULT_TERM_DAYS_BY_KIND: Mapping[str, int] = MappingProxyType(
    {
        "application": 15,
        "complaint": 20,  # Art. 99
        "request": 15,
        "proposal": 15,
        "response": 15,
        "report": 15,
    }
)


@dataclass(frozen=True)
class TermRules:
    """Legal numbers of the procedure; another jurisdiction is a different instance."""

    default_term_days: int = 15
    # hash=False: a mapping is unhashable, and equal rules still compare equal.
    term_days_by_kind: Mapping[str, int] = field(
        default_factory=lambda: DEFAULT_TERM_DAYS_BY_KIND, hash=False
    )
    no_extension_kinds: frozenset[str] = frozenset({"complaint"})
    cutoff: time = time(18, 30)
    timezone: str = "Asia/Almaty"
    forward_within_days: int = 3
    extension_max_months: int = 2
    return_within_days: int = 3
    complaint_filing_months: int = 3
    # Art. 91: the window doubles when the answer did not explain how to complain.
    complaint_filing_months_without_notice: int = 6

    def __post_init__(self) -> None:
        """Freeze the containers and reject settings that cannot work."""
        object.__setattr__(
            self, "term_days_by_kind", MappingProxyType(dict(self.term_days_by_kind))
        )
        object.__setattr__(
            self,
            "no_extension_kinds",
            frozenset(str(k) for k in self.no_extension_kinds),
        )
        numbers = {
            "default_term_days": self.default_term_days,
            "forward_within_days": self.forward_within_days,
            "extension_max_months": self.extension_max_months,
            "return_within_days": self.return_within_days,
            "complaint_filing_months": self.complaint_filing_months,
            "complaint_filing_months_without_notice": (self.complaint_filing_months_without_notice),
            **{f"term_days_by_kind[{k!r}]": v for k, v in self.term_days_by_kind.items()},
        }
        for name, value in numbers.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.cutoff.tzinfo is not None:
            raise ValueError("cutoff is a local wall-clock time; give it without tzinfo")
        zone_info(self.timezone)  # fail at configuration time, not on the first appeal

    def term_for(self, kind: str) -> int:
        """Return the term in working days for an appeal kind."""
        return self.term_days_by_kind.get(str(kind), self.default_term_days)

    def can_extend(self, kind: str) -> bool:
        """Return True if the term of this kind may be extended."""
        return str(kind) not in self.no_extension_kinds


@lru_cache(maxsize=32)
def zone_info(name: str) -> ZoneInfo:
    """Return the time zone, preferring the bundled tzdata package."""
    # zoneinfo consults the host's /usr/share/zoneinfo first; a stale host
    # still has Asia/Almaty at UTC+6 (changed 2024-03-01), so the shipped
    # tzdata package is read first and the host is only a fallback.
    parts = name.split("/")
    if name and all(p and p not in {".", ".."} for p in parts):
        try:
            resource = resources.files("tzdata.zoneinfo").joinpath(*parts)
            if resource.is_file():
                with resource.open("rb") as fh:
                    return ZoneInfo.from_file(fh, key=name)
        except (ModuleNotFoundError, OSError, ValueError):
            pass
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def registration_date(received_at: datetime, rules: TermRules, calendar: WorkingCalendar) -> date:
    """Return the registration date of an appeal received at an aware instant."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware (store times in UTC)")
    local = received_at.astimezone(zone_info(rules.timezone))
    local_day = local.date()
    if calendar.is_working_day(local_day) and local.time() < rules.cutoff:
        return local_day
    return calendar.next_working_day(local_day)


def due_date(registered_on: date, kind: str, rules: TermRules, calendar: WorkingCalendar) -> date:
    """Return the last day of the term, counted from the day after registration."""
    return calendar.add_working_days(registered_on, rules.term_for(kind))


def add_months(d: date, months: int) -> date:
    """Return d shifted by calendar months, clamped to the end of a shorter month."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


def max_extension_date(decided_on: date, rules: TermRules) -> date:
    """Return the latest date an extension decided on decided_on may set."""
    return add_months(decided_on, rules.extension_max_months)


def complaint_filing_deadline(
    answered_on: date, rules: TermRules, *, complaint_info_given: bool = True
) -> date:
    """Return the last day to complain about an answer (Art. 91)."""
    months = (
        rules.complaint_filing_months
        if complaint_info_given
        else rules.complaint_filing_months_without_notice
    )
    return add_months(answered_on, months)


def resume_after_pause(
    due_on: date, paused_on: date, resumed_on: date, calendar: WorkingCalendar
) -> date:
    """Return the due date pushed back by the working days spent waiting."""
    if resumed_on < paused_on:
        raise ValueError("resumed_on is before paused_on")
    lost = calendar.working_days_between(paused_on, resumed_on)
    return calendar.add_working_days(due_on, lost)


def working_days_left(due_on: date, today: date, calendar: WorkingCalendar) -> int:
    """Return working days until due (0 on the due day, negative when overdue)."""
    if today <= due_on:
        return calendar.working_days_between(today, due_on)
    return -calendar.working_days_between(due_on, today)


def is_overdue(due_on: date, today: date) -> bool:
    """Return True once the due day has passed."""
    return today > due_on


def is_late_forward(
    registered_on: date, forwarded_on: date, rules: TermRules, calendar: WorkingCalendar
) -> bool:
    """Return True if forwarding came after the allowed working days (Art. 65).

    The limit ends with the last of those working days; any day after it is late, a
    Saturday or a holiday included (docs/domain.md, section 4).
    """
    limit_ends = calendar.add_working_days(registered_on, rules.forward_within_days)
    return forwarded_on > limit_ends
