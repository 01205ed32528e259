"""Reads of the reference data."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from reception.directory.models import (
    Authority,
    Category,
    HolidayOverride,
    Region,
    RoutingRule,
)
from reception.domain.calendar import WorkingCalendar
from reception.domain.routing import Route, match_route

_OVERRIDES = select(HolidayOverride.day, HolidayOverride.kind, HolidayOverride.note).order_by(
    HolidayOverride.day
)
_REQUEST_KEY = "_reception_holiday_overrides"


def override_rows(reader: Session | Connection) -> tuple[tuple[date, str, str | None], ...]:
    """The administrators' calendar entries (day, kind, note), read once per request.

    A page asks for the calendar and the days' names several times; within a web request
    the rows are kept on `g` for that session (or connection), and any flush in the
    request forgets them, so a page rendered after an administrator's change shows it.
    """
    if has_request_context():
        kept = g.get(_REQUEST_KEY)
        if kept is not None and kept[0] is reader:
            return kept[1]
    # Plain columns, on the session's connection: nothing for the ORM to do.
    connection = reader if isinstance(reader, Connection) else reader.connection()
    found = connection.execute(_OVERRIDES).all()
    rows = tuple((day, kind, note) for day, kind, note in found)
    if has_request_context():
        setattr(g, _REQUEST_KEY, (reader, rows))
    return rows


@event.listens_for(Session, "after_flush")
def _forget_overrides(session, flush_context) -> None:
    if has_request_context():
        g.pop(_REQUEST_KEY, None)


@lru_cache(maxsize=16)
def _calendar(
    country: str, days_off: frozenset[date], working_days: frozenset[date]
) -> WorkingCalendar:
    # WorkingCalendar is safe to share between threads: it only ever adds whole years.
    return WorkingCalendar(country, extra_days_off=days_off, extra_working_days=working_days)


def get_calendar(session: Session, country: str) -> WorkingCalendar:
    """The working-day calendar with the administrators' overrides applied.

    Building one is slow (the holidays of a year are generated on first use), so each is
    built once per process and per set of overrides; the overrides are read on every call
    (one small query) and are the cache key, so an administrator's change shows at once.
    """
    overrides = override_rows(session)
    return _calendar(
        country,
        frozenset(day for day, kind, _note in overrides if kind == "day_off"),
        frozenset(day for day, kind, _note in overrides if kind == "working_day"),
    )


def list_categories(session: Session) -> list[Category]:
    return list(
        session.scalars(
            select(Category).where(Category.is_active).order_by(Category.position, Category.code)
        )
    )


def list_regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.code)))


def list_authorities(session: Session) -> list[Authority]:
    return list(
        session.scalars(select(Authority).where(Authority.is_active).order_by(Authority.code))
    )


def get_category(session: Session, code: str) -> Category | None:
    return session.scalar(select(Category).where(Category.code == code, Category.is_active))


def get_region(session: Session, code: str) -> Region | None:
    return session.scalar(select(Region).where(Region.code == code))


def get_authority(session: Session, code: str) -> Authority | None:
    return session.scalar(select(Authority).where(Authority.code == code, Authority.is_active))


def route_appeal(session: Session, category: Category, region: Region) -> Authority | None:
    """Find the body that must answer, by the routing table with its fallbacks."""
    rows = session.execute(
        select(Category.code, Region.code, Authority.code)
        .select_from(RoutingRule)
        .join(Authority, RoutingRule.authority_id == Authority.id)
        .outerjoin(Category, RoutingRule.category_id == Category.id)
        .outerjoin(Region, RoutingRule.region_id == Region.id)
        .where(Authority.is_active)
        .where((RoutingRule.category_id == category.id) | RoutingRule.category_id.is_(None))
        .where((RoutingRule.region_id == region.id) | RoutingRule.region_id.is_(None))
    ).all()
    code = match_route(
        (Route(category=c, region=r, authority=a) for c, r, a in rows), category.code, region.code
    )
    return get_authority(session, code) if code else None
