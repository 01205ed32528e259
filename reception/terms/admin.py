"""What the administration shows about the calendar (docs/domain.md, sections 5 and 12)."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.core.types import utcnow
from reception.core.web import current_settings
from reception.directory.models import HolidayOverride
from reception.domain.deadlines import zone_info
from reception.domain.explain import YearCertainty, year_certainty
from reception.terms.recalc import count_moves

KINDS = ("day_off", "working_day")


def _this_year() -> int:
    return utcnow().astimezone(zone_info(current_app.config["RECEPTION_TIMEZONE"])).year


def pending_moves(session: Session, request) -> int:
    """On an unconfirmed POST adding an override: how many appeals it would move."""
    if request.method != "POST" or request.form.get("confirm_moves") == "yes":
        return 0
    raw = (request.form.get("day") or "").strip()
    kind = (request.form.get("kind") or "").strip()
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or kind not in KINDS or not 2000 <= day.year <= 2100:
        return 0  # the service refuses it with a message
    if session.scalar(select(HolidayOverride.id).where(HolidayOverride.day == day)):
        return 0
    return count_moves(session, day, kind)


def years_known(session: Session) -> list[YearCertainty]:
    """The current and the next year: confirmed transfers and estimated dates."""
    settings = current_settings()
    calendar = settings.calendar(session)
    year = _this_year()
    return [year_certainty(year, calendar), year_certainty(year + 1, calendar)]


def calendar_overview(session: Session) -> dict:
    """The holiday page's extra context: removal effects and what the calendar knows."""
    overrides = session.scalars(select(HolidayOverride)).all()
    return {
        "removal_moves": {o.id: count_moves(session, o.day, None) for o in overrides},
        "years_known": years_known(session),
    }


def unconfirmed_next_year(session: Session) -> int | None:
    """The next year when no decreed transfer is known for it (a dashboard warning)."""
    known = years_known(session)[1]
    return None if known.has_confirmed_transfers else known.year
