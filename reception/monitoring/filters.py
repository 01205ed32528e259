"""The dashboard's filters from the address bar, checked against the directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.core.i18n import lazy_gettext as _l
from reception.core.inputs import InputError, arg, parse_code, parse_date
from reception.directory.models import Authority, Category, Region
from reception.domain.workflow import AppealKind, Channel

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
            try:
                return parse_date(args.get(name), default=default, field=name) or default
            except InputError as error:
                errors[name] = error.message
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
            "kind": set(AppealKind),
            "channel": set(Channel),
        }
        for name, codes in known.items():
            value = arg(args, name)
            try:
                setattr(filters, name, parse_code(value, codes, field=name))
            except InputError:
                errors[name] = _l("Unknown code %(code)s; this filter is not applied.", code=value)
        try:
            filters.group_by = parse_code(args.get("group_by"), DIMENSIONS, default="authority")
        except InputError:
            errors["group_by"] = _l("Unknown grouping; grouped by state body.")
        return filters
