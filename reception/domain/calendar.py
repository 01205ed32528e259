"""Working-day calendar: public holidays, decreed transfers and local overrides."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import holidays

_ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    """Answer "is this a working day?" and count working days as Art. 76 does."""

    def __init__(
        self,
        country: str = "KZ",
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        """Build a calendar for a country with administrator overrides on top."""
        try:
            probe = holidays.country_holidays(country)
        except NotImplementedError as exc:
            raise ValueError(f"no holiday calendar for country {country!r}") from exc
        self.country = country
        self._weekend = frozenset(probe.weekend)
        # Overrides come from an admin table; a contradictory entry must not
        # make a day working, so "day off" is checked first in is_working_day.
        self.extra_days_off = frozenset(_as_date(d) for d in extra_days_off)
        self.extra_working_days = frozenset(_as_date(d) for d in extra_working_days)
        # year -> (days off, decreed working weekend days); one dict entry per
        # year so a concurrent reader never sees half of a year loaded.
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}

    def __repr__(self) -> str:
        """Show the country and the number of overrides."""
        return (
            f"WorkingCalendar({self.country!r},"
            f" extra_days_off={len(self.extra_days_off)},"
            f" extra_working_days={len(self.extra_working_days)})"
        )

    def _load_year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        # Observed/transferred days can spill across New Year, so the
        # neighbouring years are generated too and filtered to `year`.
        years = range(max(year - 1, 1), min(year + 1, 9999) + 1)
        source = holidays.country_holidays(self.country, years=years)
        days_off = frozenset(d for d in source if d.year == year)
        workdays = getattr(source, "weekend_workdays", ())
        loaded = (days_off, frozenset(d for d in workdays if d.year == year))
        self._years[year] = loaded
        return loaded

    def _working(self, d: date) -> bool:
        if d in self.extra_days_off:
            return False
        if d in self.extra_working_days:
            return True
        loaded = self._years.get(d.year) or self._load_year(d.year)
        days_off, weekend_workdays = loaded
        if d in weekend_workdays:
            return True
        return d.weekday() not in self._weekend and d not in days_off

    def is_working_day(self, d: date) -> bool:
        """Return True if d is a working day after overrides."""
        return self._working(_as_date(d))

    def next_working_day(self, d: date) -> date:
        """Return the first working day strictly after d."""
        day = _as_date(d) + _ONE_DAY
        while not self._working(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, d: date, n: int) -> date:
        """Return the n-th working day after d; n=0 gives d or the next working day."""
        day = _as_date(d)
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return day if self._working(day) else self.next_working_day(day)
        while n:
            day += _ONE_DAY
            if self._working(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days in the half-open interval (start, end]."""
        day, end = _as_date(start), _as_date(end)
        count = 0
        while day < end:
            day += _ONE_DAY
            if self._working(day):
                count += 1
        return count


def _as_date(d: date) -> date:
    # A datetime is a date subclass but never equals a date in a set lookup,
    # so it would silently count holidays as working days.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}")
    return d
