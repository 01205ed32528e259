"""Change the reference data that routing depends on: state bodies and topics.

Nothing here is ever deleted: appeals, their history and API clients refer to bodies
and topics, so those are switched off instead.
Codes are fixed at creation for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.admin.services.common import (
    Checks,
    activity_action,
    assign,
    flag,
    line,
    record,
    snapshot,
)
from reception.core.i18n import lazy_gettext as _l
from reception.directory.models import (
    Authority,
    Category,
    Region,
    RoutingRule,
)
from reception.domain.workflow import LANGUAGES

LEVELS = ("republic", "region", "city", "district")
NAME_MAX = {"authority": 300, "category": 200}
POSITION_MAX = 9999
_WHOLE_NUMBER = re.compile(r"^[0-9]{1,6}$")

AUTHORITY_FIELDS = (
    "code",
    "name_kk",
    "name_ru",
    "name_en",
    "level",
    "region",
    "superior",
    "email",
    "is_active",
)
CATEGORY_FIELDS = (
    "code",
    "name_kk",
    "name_ru",
    "name_en",
    "default_term_days",
    "position",
    "is_active",
)


def _names(checks: Checks, data: Mapping, limit: int) -> dict[str, str]:
    names = {f"name_{lang}": line(data, f"name_{lang}") for lang in LANGUAGES}
    for name, value in names.items():
        checks.text(name, value, limit)
    return names


def _find_region(session: Session, checks: Checks, code: str) -> Region | None:
    if not code:
        return None
    region = session.scalar(select(Region).where(Region.code == code[:16]))
    if region is None:
        checks.fail("region", _l("Choose a region from the list."))
    return region


def find_category(session: Session, checks: Checks, code: str) -> Category | None:
    if not code:
        return None
    category = session.scalar(select(Category).where(Category.code == code[:64]))
    if category is None:
        checks.fail("category", _l("Choose a topic from the list."))
    return category


def _code_taken(session: Session, model, code: str) -> bool:
    return session.scalar(select(model.id).where(func.lower(model.code) == code)) is not None


# --- State bodies ---------------------------------------------------------------------


def _feeds_global_fallback(session: Session, authority: Authority) -> bool:
    return (
        session.scalar(
            select(RoutingRule.id).where(
                RoutingRule.category_id.is_(None),
                RoutingRule.region_id.is_(None),
                RoutingRule.authority_id == authority.id,
            )
        )
        is not None
    )


def _check_authority(
    session: Session, data: Mapping, authority: Authority | None
) -> tuple[Checks, dict]:
    checks = Checks()
    values: dict[str, object] = _names(checks, data, NAME_MAX["authority"])
    if authority is None:
        code = line(data, "code").lower()
        checks.code("code", code)
        if checks.ok("code") and _code_taken(session, Authority, code):
            checks.fail("code", _l("A state body with this code already exists."))
        values["code"] = code

    level = line(data, "level")
    if level not in LEVELS:
        checks.fail("level", _l("Choose the level from the list."))
    values["level"] = level

    region = _find_region(session, checks, line(data, "region"))
    if checks.ok("region") and checks.ok("level"):
        if level == "republic" and region is not None:
            checks.fail("region", _l("A republican body serves the whole country: leave it empty."))
        elif level != "republic" and region is None:
            checks.fail("region", _l("Choose the region this body serves."))
    values["region"] = region

    superior = None
    superior_code = line(data, "superior")
    if superior_code:
        superior = session.scalar(select(Authority).where(Authority.code == superior_code[:64]))
        if superior is None:
            checks.fail("superior", _l("Choose a superior body from the list."))
        elif authority is not None and superior.id == authority.id:
            checks.fail("superior", _l("A body cannot be its own superior."))
        elif authority is not None and _is_below(superior, authority):
            checks.fail(
                "superior",
                _l(
                    "%(body)s is already subordinate to this body: the chain of superiors "
                    "would go round in a circle.",
                    body=superior.code,
                ),
            )
        elif not superior.is_active and (authority is None or authority.superior_id != superior.id):
            checks.fail("superior", _l("This body is inactive: choose an active one."))
    values["superior"] = superior

    values["email"] = checks.email("email", line(data, "email"))
    values["is_active"] = flag(data, "is_active")
    if (
        authority is not None
        and authority.is_active
        and not values["is_active"]
        and _feeds_global_fallback(session, authority)
    ):
        checks.fail(
            "is_active",
            _l(
                "Appeals that no other rule covers go to this body (the global fallback). "
                "Point that rule to another body first."
            ),
        )
    values["email"] = values["email"] or None
    return checks, values


def _is_below(candidate: Authority, authority: Authority) -> bool:
    """Whether `authority` appears in the chain of superiors above `candidate`."""
    seen: set[int] = set()
    node: Authority | None = candidate
    while node is not None and node.id not in seen:
        if node.id == authority.id:
            return True
        seen.add(node.id)
        node = node.superior
    return False


def create_authority(session: Session, data: Mapping, *, actor: User | None, now: datetime):
    """Add a state body after checking its code, names, place in the tree and e-mail."""
    checks, values = _check_authority(session, data, None)
    checks.raise_if_any()
    authority = Authority(**values)
    session.add(authority)
    session.flush()
    record(
        session,
        actor=actor,
        now=now,
        entity="authority",
        entity_id=authority.id,
        action="create",
        changes=snapshot(authority, AUTHORITY_FIELDS),
    )
    return authority


def update_authority(
    session: Session, authority: Authority, data: Mapping, *, actor: User | None, now: datetime
) -> dict[str, list]:
    """Change a state body (its code stays); switching it off keeps it in every history."""
    checks, values = _check_authority(session, data, authority)
    checks.raise_if_any()
    changes = assign(authority, values)
    if changes:
        record(
            session,
            actor=actor,
            now=now,
            entity="authority",
            entity_id=authority.id,
            action=activity_action(changes),
            changes=changes,
        )
    return changes


# --- Topics ---------------------------------------------------------------------------


def _whole_number(checks: Checks, name: str, raw: str, low: int, high: int, message) -> int | None:
    if _WHOLE_NUMBER.fullmatch(raw) and low <= int(raw) <= high:
        return int(raw)
    checks.fail(name, message)
    return None


def _check_category(
    session: Session, data: Mapping, category: Category | None, max_term_days: int
) -> tuple[Checks, dict]:
    checks = Checks()
    values: dict[str, object] = _names(checks, data, NAME_MAX["category"])
    if category is None:
        code = line(data, "code").lower()
        checks.code("code", code)
        if checks.ok("code") and _code_taken(session, Category, code):
            checks.fail("code", _l("A topic with this code already exists."))
        values["code"] = code
    term = line(data, "default_term_days")
    values["default_term_days"] = (
        _whole_number(
            checks,
            "default_term_days",
            term,
            1,
            max_term_days,
            _l(
                "Give a whole number of working days from 1 to %(n)d, or leave it empty.",
                n=max_term_days,
            ),
        )
        if term
        else None
    )
    position = line(data, "position") or "0"
    values["position"] = _whole_number(
        checks,
        "position",
        position,
        0,
        POSITION_MAX,
        _l("Give a whole number from 0 to %(n)d.", n=POSITION_MAX),
    )
    values["is_active"] = flag(data, "is_active")
    return checks, values


def create_category(
    session: Session, data: Mapping, *, actor: User | None, now: datetime, max_term_days: int
) -> Category:
    """Add a topic; `max_term_days` is the longest legal term it may set."""
    checks, values = _check_category(session, data, None, max_term_days)
    checks.raise_if_any()
    category = Category(**values)
    session.add(category)
    session.flush()
    record(
        session,
        actor=actor,
        now=now,
        entity="category",
        entity_id=category.id,
        action="create",
        changes=snapshot(category, CATEGORY_FIELDS),
    )
    return category


def update_category(
    session: Session,
    category: Category,
    data: Mapping,
    *,
    actor: User | None,
    now: datetime,
    max_term_days: int,
) -> dict[str, list]:
    """Change a topic (its code stays); a switched-off topic is no longer offered."""
    checks, values = _check_category(session, data, category, max_term_days)
    checks.raise_if_any()
    changes = assign(category, values)
    if changes:
        record(
            session,
            actor=actor,
            now=now,
            entity="category",
            entity_id=category.id,
            action=activity_action(changes),
            changes=changes,
        )
    return changes
