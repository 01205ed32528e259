"""The dashboard's filters from the address bar, checked against the directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.appeals.models import CHANNELS, KINDS
from reception.directory.models import Authority, Category, Region

DIMENSIONS = ("authority", "category", "region", "kind", "channel", "week")
DEFAULT_DAYS = 90


@dataclass
class DashboardFilters:
    date_from: date
    date_to: date
    authority: str = ""
    category: str = ""
    region: str = ""
    kind: str = ""
    channel: str = ""
    group_by: str = "authority"
    errors: dict = field(default_factory=dict)

    def as_args(self) -> dict:
        args = {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "group_by": self.group_by,
        }
        for name in ("authority", "category", "region", "kind", "channel"):
            if getattr(self, name):
                args[name] = getattr(self, name)
        return args

    @classmethod
    def from_args(cls, args, session: Session, today: date) -> DashboardFilters:
        """Read the filters; a bad one is reported and left out, the rest still apply."""
        errors: dict = {}

        def parse(name: str, default: date) -> date:
            raw = (args.get(name) or "").strip()
            if not raw:
                return default
            try:
                return date.fromisoformat(raw)
            except ValueError:
                errors[name] = _l("Enter a date like 2026-11-23.")
                return default

        date_to = parse("date_to", today)
        date_from = parse("date_from", date_to - timedelta(days=DEFAULT_DAYS))
        if date_from > date_to:
            errors["date_from"] = _l(
                "The start date is after the end date; showing the last 90 days instead."
            )
            date_to, date_from = today, today - timedelta(days=DEFAULT_DAYS)
        filters = cls(date_from=date_from, date_to=date_to, errors=errors)

        known = {
            "authority": set(session.scalars(select(Authority.code))),
            "category": set(session.scalars(select(Category.code))),
            "region": set(session.scalars(select(Region.code))),
            "kind": set(KINDS),
            "channel": set(CHANNELS),
        }
        for name, codes in known.items():
            value = (args.get(name) or "").strip()
            if value and value not in codes:
                errors[name] = _l(
                    "Unknown code %(code)s; this filter is not applied.", code=value[:64]
                )
            elif value:
                setattr(filters, name, value)
        group_by = (args.get("group_by") or "authority").strip()
        if group_by in DIMENSIONS:
            filters.group_by = group_by
        else:
            errors["group_by"] = _l("Unknown grouping; grouped by state body.")
        return filters
