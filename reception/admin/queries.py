"""Reads for the administration pages: lists with their filters, the tree, the audit log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from reception.accounts.models import ApiKey, User
from reception.admin.models import AuditEntry
from reception.admin.services.routing import rule_kind
from reception.core import inputs, paging
from reception.directory.models import (
    AnswerTemplate,
    Authority,
    Category,
    HolidayOverride,
    Region,
    RoutingRule,
)
from reception.directory.queries import route_appeal
from reception.domain.routing import Route, match_route
from reception.domain.workflow import STAFF_ROLES, Role

PAGE_SIZE = paging.ADMIN.default
# Most specific first, as domain.routing.match_route ranks them.
RULE_KINDS = ("exact", "category", "region", "global")
LEVEL_ORDER = {"republic": 0, "region": 1, "city": 2, "district": 3}
# Identifiers in addresses are database integers; anything larger is simply not there.
MAX_ID = 2**31 - 1


def get_row(session: Session, model, ident: int):
    """The row with this id, or None (also for ids no database column could hold)."""
    return session.get(model, ident) if 0 < ident <= MAX_ID else None


def arg(args: Mapping, name: str, limit: int = 64) -> str:
    """A filter from the address bar: one line, no control characters (PostgreSQL refuses
    NUL), cut to what any stored value could be."""
    return inputs.arg(args, name, limit)


def _paginate(session: Session, query: Select, page: int, page_size: int) -> paging.Page:
    return paging.paginate(session, query, page=page, per_page=page_size, unique=True)


def _status_filter(raw: str | None) -> str:
    return raw if raw in ("active", "inactive") else ""


# --- Home -----------------------------------------------------------------------------


def _count(session: Session, model, *conditions) -> int:
    return session.scalar(select(func.count(model.id)).where(*conditions)) or 0


def overview(session: Session, today: date) -> dict[str, int]:
    """The numbers on the administration home page."""
    return {
        "authorities": _count(session, Authority, Authority.is_active),
        "authorities_inactive": _count(session, Authority, ~Authority.is_active),
        "categories": _count(session, Category, Category.is_active),
        "categories_inactive": _count(session, Category, ~Category.is_active),
        "rules": _count(session, RoutingRule),
        "holidays_upcoming": _count(session, HolidayOverride, HolidayOverride.day >= today),
        "holidays": _count(session, HolidayOverride),
        "templates": _count(session, AnswerTemplate, AnswerTemplate.is_active),
        "users": _count(session, User, User.is_active),
        "staff": _count(session, User, User.is_active, User.role != Role.citizen),
        "invited": _count(session, User, User.is_active, User.password_hash.is_(None)),
        "api_keys": _count(session, ApiKey, ApiKey.revoked_at.is_(None)),
        "audit": _count(session, AuditEntry),
    }


# --- State bodies ---------------------------------------------------------------------


def list_all_authorities(session: Session) -> list[Authority]:
    """Every body, inactive ones too (the selects of the administration pages)."""
    return list(session.scalars(select(Authority).order_by(Authority.code)))


def authority_tree(
    session: Session, *, q: str = "", status: str = ""
) -> list[tuple[Authority, int]]:
    """Bodies in the order of the tree of superiors, each with its depth."""
    bodies = list(session.scalars(select(Authority).options(joinedload(Authority.region))))
    by_id = {body.id: body for body in bodies}
    children: dict[int | None, list[Authority]] = defaultdict(list)
    for body in bodies:
        parent = body.superior_id if body.superior_id in by_id else None
        children[parent].append(body)
    for siblings in children.values():
        siblings.sort(key=lambda b: (LEVEL_ORDER.get(b.level, 9), b.code))

    ordered: list[tuple[Authority, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for body in children.get(parent, ()):
            if body.id not in seen:
                seen.add(body.id)
                ordered.append((body, depth))
                walk(body.id, depth + 1)

    walk(None, 0)
    # A cycle made outside this application would hide its bodies; show them at the root.
    for body in sorted(bodies, key=lambda b: b.code):
        if body.id not in seen:
            seen.add(body.id)
            ordered.append((body, 0))
            walk(body.id, 1)

    status = _status_filter(status)
    needle = q.strip().lower()

    def shown(body: Authority) -> bool:
        if status and body.is_active != (status == "active"):
            return False
        if needle:
            haystack = " ".join(
                (body.code, body.name_kk, body.name_ru, body.name_en, body.email or "")
            )
            return needle in haystack.lower()
        return True

    return [(body, depth) for body, depth in ordered if shown(body)]


def authority_links(session: Session, authority: Authority) -> dict[str, int]:
    """What depends on a body: rules sending appeals to it, subordinates, staff."""
    return {
        "rules": _count(session, RoutingRule, RoutingRule.authority_id == authority.id),
        "subordinates": _count(
            session, Authority, Authority.superior_id == authority.id, Authority.is_active
        ),
        "staff": _count(session, User, User.authority_id == authority.id, User.is_active),
    }


# --- Topics ---------------------------------------------------------------------------


def list_all_categories(session: Session, *, status: str = "") -> list[Category]:
    query = select(Category).order_by(Category.position, Category.code)
    status = _status_filter(status)
    if status:
        query = query.where(Category.is_active == (status == "active"))
    return list(session.scalars(query))


def list_regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.code)))


# --- Routing --------------------------------------------------------------------------


def list_rules(
    session: Session, *, category: str = "", region: str = "", authority: str = ""
) -> list[RoutingRule]:
    """Rules, most specific first; "any" filters for the rules whose side is empty."""
    query = (
        select(RoutingRule)
        .outerjoin(Category, RoutingRule.category_id == Category.id)
        .outerjoin(Region, RoutingRule.region_id == Region.id)
        .join(Authority, RoutingRule.authority_id == Authority.id)
        .options(
            joinedload(RoutingRule.category),
            joinedload(RoutingRule.region),
            joinedload(RoutingRule.authority),
        )
    )
    if category == "any":
        query = query.where(RoutingRule.category_id.is_(None))
    elif category:
        query = query.where(Category.code == category[:64])
    if region == "any":
        query = query.where(RoutingRule.region_id.is_(None))
    elif region:
        query = query.where(Region.code == region[:16])
    if authority:
        query = query.where(Authority.code == authority[:64])
    rules = list(session.scalars(query).unique())
    rules.sort(
        key=lambda r: (
            RULE_KINDS.index(rule_kind(r)),
            r.category.position if r.category else 0,
            r.category.code if r.category else "",
            r.region.code if r.region else "",
        )
    )
    return rules


@dataclass
class RouteExplanation:
    """Where an appeal on a topic from a region goes, and by which rule."""

    authority: Authority | None
    kind: str | None = None  # exact, category, region or global
    rule: RoutingRule | None = None
    # More specific rules that were passed over because their body is inactive.
    skipped: list[RoutingRule] = field(default_factory=list)


def explain_route(session: Session, category: Category, region: Region) -> RouteExplanation:
    """Answer "where would this appeal go?" exactly as filing would route it."""
    authority = route_appeal(session, category, region)
    rules = list(
        session.scalars(
            select(RoutingRule)
            .where(
                or_(RoutingRule.category_id == category.id, RoutingRule.category_id.is_(None)),
                or_(RoutingRule.region_id == region.id, RoutingRule.region_id.is_(None)),
            )
            .options(joinedload(RoutingRule.authority))
        )
    )
    if authority is None:
        return RouteExplanation(authority=None, skipped=rules)
    live = [r for r in rules if r.authority.is_active]
    code = match_route(
        (
            Route(
                category=category.code if r.category_id else None,
                region=region.code if r.region_id else None,
                authority=r.authority.code,
            )
            for r in live
        ),
        category.code,
        region.code,
    )
    winner = min(
        (r for r in live if r.authority.code == code),
        key=lambda r: RULE_KINDS.index(rule_kind(r)),
    )
    rank = RULE_KINDS.index(rule_kind(winner))
    skipped = [
        r for r in rules if not r.authority.is_active and RULE_KINDS.index(rule_kind(r)) < rank
    ]
    return RouteExplanation(
        authority=authority, kind=rule_kind(winner), rule=winner, skipped=skipped
    )


# --- Calendar and templates -----------------------------------------------------------


def list_holidays(session: Session) -> list[HolidayOverride]:
    return list(session.scalars(select(HolidayOverride).order_by(HolidayOverride.day.desc())))


def list_templates(
    session: Session, *, category: str = "", language: str = "", status: str = ""
) -> list[AnswerTemplate]:
    """Templates by topic ("general" for those of every topic), language and state."""
    query = (
        select(AnswerTemplate)
        .outerjoin(Category, AnswerTemplate.category_id == Category.id)
        .options(joinedload(AnswerTemplate.category))
        .order_by(
            AnswerTemplate.category_id.is_not(None),
            Category.position,
            AnswerTemplate.language,
            AnswerTemplate.title,
        )
    )
    if category == "general":
        query = query.where(AnswerTemplate.category_id.is_(None))
    elif category:
        query = query.where(Category.code == category[:64])
    if language:
        query = query.where(AnswerTemplate.language == language[:2])
    status = _status_filter(status)
    if status:
        query = query.where(AnswerTemplate.is_active == (status == "active"))
    return list(session.scalars(query).unique())


# --- People and keys ------------------------------------------------------------------


@dataclass
class UserFilters:
    role: str = ""
    # "", active, inactive, invited (no password yet), no_two_factor (active, not set up)
    status: str = ""
    authority: str = ""  # a state body's code
    q: str = ""
    page: int = 1

    STATUSES = ("active", "inactive", "invited", "no_two_factor")

    @classmethod
    def from_args(cls, args: Mapping) -> UserFilters:
        role = arg(args, "role")
        status = arg(args, "status")
        return cls(
            role=role if role in tuple(Role) else "",
            status=status if status in cls.STATUSES else "",
            authority=arg(args, "authority", 64),
            q=arg(args, "q", 200),
            page=paging.parse_page(args.get("page")),
        )


def list_users(session: Session, filters: UserFilters, page_size: int = PAGE_SIZE) -> paging.Page:
    query = (
        select(User)
        .options(joinedload(User.authority))
        .order_by(User.is_active.desc(), User.role, User.full_name, User.email)
    )
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.status == "active":
        query = query.where(User.is_active)
    elif filters.status == "inactive":
        query = query.where(~User.is_active)
    elif filters.status == "invited":
        query = query.where(User.is_active, User.password_hash.is_(None))
    elif filters.status == "no_two_factor":
        query = query.where(User.is_active, User.totp_enabled_at.is_(None))
    if filters.authority:
        query = query.where(
            User.authority_id.in_(select(Authority.id).where(Authority.code == filters.authority))
        )
    if filters.q:
        pattern = paging.contains(filters.q.lower())
        query = query.where(
            or_(
                func.lower(User.email).like(pattern, escape=paging.LIKE_ESCAPE),
                func.lower(User.full_name).like(pattern, escape=paging.LIKE_ESCAPE),
            )
        )
    return _paginate(session, query, filters.page, page_size)


def list_api_keys(session: Session, *, user: User | None = None) -> list[ApiKey]:
    """Keys, working ones first, newest first; only one user's when `user` is given."""
    query = (
        select(ApiKey)
        .options(joinedload(ApiKey.user))
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    if user is not None:
        query = query.where(ApiKey.user_id == user.id)
    return list(session.scalars(query))


def list_staff_emails(session: Session) -> list[str]:
    """Active staff who may own an API key (suggestions for the e-mail field)."""
    return list(
        session.scalars(
            select(User.email)
            .where(User.is_active, User.role.in_(STAFF_ROLES))
            .order_by(User.email)
        )
    )


# --- Audit ----------------------------------------------------------------------------


@dataclass
class AuditFilters:
    entity: str = ""
    entity_id: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping, entities) -> AuditFilters:
        entity = arg(args, "entity")
        entity_id = inputs.parse_id(args.get("id"))
        return cls(
            entity=entity if entity in entities else "",
            entity_id=entity_id if entity in entities and entity_id is not None else None,
            page=paging.parse_page(args.get("page")),
        )


def list_audit(session: Session, filters: AuditFilters, page_size: int = PAGE_SIZE) -> paging.Page:
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if filters.entity:
        query = query.where(AuditEntry.entity == filters.entity)
        if filters.entity_id is not None and filters.entity_id <= MAX_ID:
            query = query.where(AuditEntry.entity_id == filters.entity_id)
    return _paginate(session, query, filters.page, page_size)
