"""What every administration service shares: refusals, input cleaning, the audit entry."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.admin.models import AuditEntry
from reception.appeals.submission import clean_text
from reception.core.i18n import lazy_gettext as _l
from reception.core.refusals import Refused

REQUIRED = _l("This field is required.")
# A code is part of addresses, API answers and history: plain, lower-case, stable.
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_MIN, CODE_MAX = 2, 64


def too_long(limit: int):
    return _l("Please shorten this to %(n)d characters or fewer.", n=limit)


def line(data: Mapping, name: str) -> str:
    """A one-line text field: control characters dropped, spaces collapsed."""
    return " ".join(clean_text(data.get(name)).split())


def text(data: Mapping, name: str) -> str:
    """A multi-line text field: control characters dropped, line breaks kept."""
    return clean_text(data.get(name))


def flag(data: Mapping, name: str) -> bool:
    return data.get(name) in (True, "y", "yes", "on", "true", "1", 1)


class Checks:
    """Collect every problem of a form at once, so the reader fixes them in one go."""

    def __init__(self) -> None:
        self.errors: dict[str, object] = {}

    def fail(self, name: str, message) -> None:
        self.errors.setdefault(name, message)

    def ok(self, name: str) -> bool:
        return name not in self.errors

    def text(self, name: str, value: str, limit: int, *, required: bool = True) -> None:
        if not value:
            if required:
                self.fail(name, REQUIRED)
        elif len(value) > limit:
            self.fail(name, too_long(limit))

    def code(self, name: str, value: str) -> None:
        if not value:
            self.fail(name, REQUIRED)
        elif not (CODE_MIN <= len(value) <= CODE_MAX and CODE_PATTERN.match(value)):
            self.fail(
                name,
                _l(
                    "Use %(min)d to %(max)d lower-case Latin letters, digits and single hyphens, "
                    "like astana-akimat.",
                    min=CODE_MIN,
                    max=CODE_MAX,
                ),
            )

    def email(self, name: str, value: str, *, required: bool = False) -> str:
        """Check an e-mail address and return it normalised."""
        if not value:
            if required:
                self.fail(name, REQUIRED)
            return ""
        if len(value) > 254:
            self.fail(name, too_long(254))
            return value
        try:
            return validate_email(value.lower(), check_deliverability=False).normalized
        except EmailNotValidError:
            self.fail(name, _l("Enter an e-mail address like name@example.kz."))
            return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise Refused.fields(self.errors)


def audit_value(value):
    """How a value is written in the audit log: codes for reference rows, ISO dates."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, User):
        return value.email
    code = getattr(value, "code", None)
    return code if code is not None else str(value)


def assign(obj, values: Mapping[str, object]) -> dict[str, list]:
    """Set the attributes that differ and return them as {field: [old, new]}."""
    changes: dict[str, list] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if audit_value(old) != audit_value(new):
            changes[name] = [audit_value(old), audit_value(new)]
            setattr(obj, name, new)
    return changes


def snapshot(obj, names: Iterable[str], *, removed: bool = False) -> dict[str, list]:
    """The fields of a created (or, with `removed`, a deleted) row, as audit changes."""
    changes: dict[str, list] = {}
    for name in names:
        value = audit_value(getattr(obj, name))
        if value not in (None, ""):
            changes[name] = [value, None] if removed else [None, value]
    return changes


def record(
    session: Session,
    *,
    actor: User | None,
    now: datetime,
    entity: str,
    entity_id: int | None,
    action: str,
    changes: Mapping[str, list] | None = None,
) -> AuditEntry:
    """Append an audit entry in the caller's transaction."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        at=now,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=dict(changes or {}),
    )
    session.add(entry)
    return entry


def activity_action(changes: Mapping[str, list]) -> str:
    """Name an update by its most telling part: switching a row off or on."""
    if "is_active" in changes:
        return "reactivate" if changes["is_active"][1] else "deactivate"
    return "update"
