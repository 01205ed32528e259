"""Column types shared by the models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC: the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Return the current time, aware, in UTC (the only clock read outside tests)."""
    return datetime.now(UTC)


def one_of(column: str, values: Iterable[str], *, negated: bool = False) -> str:
    """The SQL of a CHECK that a column holds one of the codes, in the order given.

    Models build their constraints from the domain's enums with it, so that a code is
    spelled in one place: `one_of("status", AppealStatus)` is
    `status IN ('registered', 'in_progress', ...)`.
    """
    operator = "NOT IN" if negated else "IN"
    return f"{column} {operator} ({', '.join(repr(str(v)) for v in values)})"
