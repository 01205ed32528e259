"""Change the routing table: (topic or any, region or any) → state body.

One invariant is kept here because filing depends on it: the global fallback (any topic,
any region) exists and points to an active body, so every appeal finds a body.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.admin.services.common import Checks, assign, line, record, snapshot
from reception.core.i18n import lazy_gettext as _l
from reception.core.refusals import Refused
from reception.directory.models import Authority, Category, Region, RoutingRule

RULE_FIELDS = ("category", "region", "authority")


def rule_kind(rule: RoutingRule) -> str:
    """exact, category (topic-wide), region or global: how specific a rule is."""
    if rule.category_id is not None:
        return "exact" if rule.region_id is not None else "category"
    return "region" if rule.region_id is not None else "global"


def _is_last_global(session: Session, rule: RoutingRule) -> bool:
    if rule.category_id is not None or rule.region_id is not None:
        return False
    other = session.scalar(
        select(RoutingRule.id).where(
            RoutingRule.category_id.is_(None),
            RoutingRule.region_id.is_(None),
            RoutingRule.id != rule.id,
        )
    )
    return other is None


def _check_rule(session: Session, data: Mapping, rule: RoutingRule | None) -> dict:
    checks = Checks()
    category = region = authority = None
    category_code = line(data, "category")
    if category_code:
        category = session.scalar(select(Category).where(Category.code == category_code[:64]))
        if category is None:
            checks.fail("category", _l("Choose a topic from the list, or any topic."))
    region_code = line(data, "region")
    if region_code:
        region = session.scalar(select(Region).where(Region.code == region_code[:16]))
        if region is None:
            checks.fail("region", _l("Choose a region from the list, or any region."))
    authority_code = line(data, "authority")
    if not authority_code:
        checks.fail("authority", _l("Choose the state body that receives these appeals."))
    else:
        authority = session.scalar(select(Authority).where(Authority.code == authority_code[:64]))
        if authority is None:
            checks.fail("authority", _l("Choose a state body from the list."))
        elif not authority.is_active:
            checks.fail("authority", _l("This body is inactive: choose an active one."))

    if checks.ok("category") and checks.ok("region"):
        same_pair = select(RoutingRule.id).where(
            RoutingRule.category_id.is_(None)
            if category is None
            else RoutingRule.category_id == category.id,
            RoutingRule.region_id.is_(None)
            if region is None
            else RoutingRule.region_id == region.id,
        )
        if rule is not None:
            same_pair = same_pair.where(RoutingRule.id != rule.id)
        if session.scalar(same_pair) is not None:
            # The database's unique constraint does not see two NULLs as equal; this does.
            checks.fail(
                "category",
                _l("A rule for this topic and region already exists: change that rule instead."),
            )
        elif rule is not None and (category or region) and _is_last_global(session, rule):
            checks.fail(
                "category",
                _l(
                    "This is the global fallback: it must stay for any topic and any region. "
                    "Change its state body instead."
                ),
            )
    checks.raise_if_any()
    return {"category": category, "region": region, "authority": authority}


def create_rule(
    session: Session, data: Mapping, *, actor: User | None, now: datetime
) -> RoutingRule:
    """Add a routing rule unless one already covers the same topic and region."""
    rule = RoutingRule(**_check_rule(session, data, None))
    session.add(rule)
    session.flush()
    record(
        session,
        actor=actor,
        now=now,
        entity="routing_rule",
        entity_id=rule.id,
        action="create",
        changes=snapshot(rule, RULE_FIELDS),
    )
    return rule


def update_rule(
    session: Session, rule: RoutingRule, data: Mapping, *, actor: User | None, now: datetime
) -> dict[str, list]:
    """Change a rule; appeals already filed stay where they are."""
    changes = assign(rule, _check_rule(session, data, rule))
    if changes:
        record(
            session,
            actor=actor,
            now=now,
            entity="routing_rule",
            entity_id=rule.id,
            action="update",
            changes=changes,
        )
    return changes


def delete_rule(session: Session, rule: RoutingRule, *, actor: User | None, now: datetime) -> None:
    """Delete a rule (appeals do not refer to rules); never the global fallback."""
    if _is_last_global(session, rule):
        raise Refused.fields(
            {
                "_": _l(
                    "The global fallback cannot be deleted: appeals no other rule covers would "
                    "have nowhere to go. Change its state body instead."
                )
            }
        )
    record(
        session,
        actor=actor,
        now=now,
        entity="routing_rule",
        entity_id=rule.id,
        action="delete",
        changes=snapshot(rule, RULE_FIELDS, removed=True),
    )
    session.delete(rule)
