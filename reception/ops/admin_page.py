"""The administration page of the security event log (/admin/security-events)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.admin.views.common import bp
from reception.core import paging
from reception.core.i18n import lazy_gettext as _l
from reception.domain.deadlines import zone_info
from reception.extensions import db
from reception.ops.models import SecurityEvent
from reception.ops.security_log import KINDS, email_hash

PAGE_SIZE = paging.ADMIN.default
_NUMBER = re.compile(r"[0-9]{1,9}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BAD_DATE = _l("Enter a date like 2026-11-23.")


def _one_line(args: Mapping, name: str, limit: int = 254) -> str:
    value = args.get(name) or ""
    value = "".join(ch for ch in str(value) if ch.isprintable())
    return " ".join(value.split())[:limit]


def _day(raw: str) -> date | None:
    if not _DAY.fullmatch(raw):
        raise ValueError(raw)
    day = date.fromisoformat(raw)
    if not 1900 <= day.year <= 2999:
        raise ValueError(raw)
    return day


@dataclass
class EventFilters:
    kind: str = ""
    who: str = ""  # a user's e-mail or id: events about that person
    tried: str = ""  # an e-mail typed at a failed log-in: matched by its hash
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Mapping) -> EventFilters:
        filters = cls(
            kind=_one_line(args, "kind", 40),
            who=_one_line(args, "user"),
            tried=_one_line(args, "email"),
        )
        if filters.kind not in KINDS:
            filters.kind = ""
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            raw = _one_line(args, name, 10)
            if raw:
                try:
                    setattr(filters, attr, _day(raw))
                except ValueError:
                    filters.errors[name] = BAD_DATE
        filters.page = paging.parse_page(args.get("page"))
        return filters

    def args(self) -> dict:
        values = {
            "kind": self.kind,
            "user": self.who,
            "email": self.tried,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


def _user_ids(session: Session, who: str) -> list[int]:
    if _NUMBER.fullmatch(who):
        return [int(who)]
    return list(
        session.scalars(select(User.id).where(func.lower(User.email) == who.strip().lower()))
    )


def list_events(session: Session, filters: EventFilters, zone, secret: str) -> paging.Page:
    query = select(SecurityEvent).options(selectinload(SecurityEvent.user))
    if filters.kind:
        query = query.where(SecurityEvent.kind == filters.kind)
    if filters.who:
        ids = _user_ids(session, filters.who)
        query = query.where(SecurityEvent.user_id.in_(ids or [-1]))
    if filters.tried:
        query = query.where(
            SecurityEvent.detail["email_hash"].as_string() == email_hash(filters.tried, secret)
        )
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=zone)
        query = query.where(SecurityEvent.at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone)
        query = query.where(SecurityEvent.at < end)
    return paging.paginate(
        session,
        query,
        page=filters.page,
        per_page=PAGE_SIZE,
        order_by=(SecurityEvent.at.desc(), SecurityEvent.id.desc()),
    )


@bp.route("/security-events")
def security_events():
    filters = EventFilters.from_args(request.args)
    zone = zone_info(current_app.config["RECEPTION_TIMEZONE"])
    page = list_events(db.session, filters, zone, current_app.config.get("SECRET_KEY") or "")
    status = 422 if filters.errors else 200
    return render_template(
        "admin/security_events.html",
        page=page,
        filters=filters,
        args=filters.args(),
        kinds=KINDS,
        days=current_app.config.get("RECEPTION_SECURITY_LOG_DAYS"),
    ), status
