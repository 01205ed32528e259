"""Who may see an appeal on the citizen's side."""

from __future__ import annotations

from flask import session as cookie_session

from reception.accounts.models import User
from reception.appeals.models import Appeal

_GRANTS_KEY = "granted_appeals"
_MAX_GRANTS = 20


def grant_browser_access(appeal_id: int) -> None:
    """Remember in the signed session that this browser proved it may see the appeal."""
    granted = [i for i in cookie_session.get(_GRANTS_KEY, []) if i != appeal_id]
    cookie_session[_GRANTS_KEY] = [*granted, appeal_id][-_MAX_GRANTS:]


def browser_has_access(appeal: Appeal) -> bool:
    return appeal.id in cookie_session.get(_GRANTS_KEY, [])


def citizen_may_view(user: User | None, appeal: Appeal) -> bool:
    """The owner, or a browser that filed it or gave its access code."""
    if user is not None and user.is_authenticated and appeal.citizen_id == user.id:
        return True
    return browser_has_access(appeal)
