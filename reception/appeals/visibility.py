"""Who on the staff may see which appeals.

Officials and heads see their own authority's appeals; operators the appeals they
registered; administrators every appeal (read only: the workflow gives them no action).
Anything else is "not found", so the existence of other appeals is not revealed.
"""

from __future__ import annotations

from sqlalchemy import Select, false

from reception.accounts.models import User
from reception.appeals.models import Appeal
from reception.domain.workflow import AUTHORITY_ROLES, STAFF_ROLES, Role


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.role in STAFF_ROLES)


def visible_appeals(query: Select, user: User) -> Select:
    """Narrow a query of appeals to those the staff member may see."""
    if user.role in AUTHORITY_ROLES:
        return query.where(Appeal.authority_id == user.authority_id)
    if user.role == Role.operator:
        return query.where(Appeal.registered_by_id == user.id)
    if user.role == Role.admin:
        return query
    return query.where(false())


def staff_may_view(user: User, appeal: Appeal) -> bool:
    if user.role in AUTHORITY_ROLES:
        return appeal.authority_id == user.authority_id
    if user.role == Role.operator:
        return appeal.registered_by_id == user.id
    return user.role == Role.admin
