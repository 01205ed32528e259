"""The time zone and the working-day calendar, built once per process and reused.

Building them is slow (the zone is read from the tzdata package, and the holidays of a
year are generated on first use), and they are needed on every status page and filing.
The calendar is rebuilt when the administrators' holiday overrides change: they are read
on every call (one small query) and are part of the cache key.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.directory.models import HolidayOverride
from reception.domain.calendar import WorkingCalendar
from reception.domain.deadlines import zone_info

_OVERRIDES = select(HolidayOverride.day, HolidayOverride.kind)


@lru_cache(maxsize=8)
def local_zone(name: str) -> ZoneInfo:
    """zone_info(name), read once."""
    return zone_info(name)


@lru_cache(maxsize=16)
def _calendar(
    country: str, days_off: frozenset[date], working_days: frozenset[date]
) -> WorkingCalendar:
    # WorkingCalendar is safe to share between threads: it only ever adds whole years.
    return WorkingCalendar(country, extra_days_off=days_off, extra_working_days=working_days)


def working_calendar(session: Session, country: str) -> WorkingCalendar:
    """The same calendar as directory.queries.get_calendar, without rebuilding it each time."""
    overrides = session.execute(_OVERRIDES).all()
    return _calendar(
        country,
        frozenset(day for day, kind in overrides if kind == "day_off"),
        frozenset(day for day, kind in overrides if kind == "working_day"),
    )
