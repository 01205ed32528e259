"""Who may see an appeal on the citizen's side."""

from __future__ import annotations

import time

from flask import current_app
from flask import session as cookie_session

from reception.accounts.models import User
from reception.appeals.models import Appeal

_GRANTS_KEY = "granted_appeals"
_MAX_GRANTS = 20


def now_seconds() -> int:
    return int(time.time())


def _lifetime_seconds() -> int:
    """A right lasts as long as a log-in at most (RECEPTION_SESSION_HOURS)."""
    return int(current_app.config.get("SESSION_ABSOLUTE_HOURS", 12)) * 3600


def _grants() -> dict[int, int]:
    """The appeals this browser may see and when each right was given: entries are
    [appeal id, seconds since the epoch]; anything else (an older cookie's bare ids) or an
    expired one gives nothing. The signed cookie has no record on the server and a copy of
    it can be refreshed by any request that changes the session, so the right carries its
    own time."""
    oldest = now_seconds() - _lifetime_seconds()
    grants = {}
    for entry in cookie_session.get(_GRANTS_KEY) or []:
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and all(type(v) is int for v in entry)
            and entry[1] >= oldest
        ):
            grants[entry[0]] = entry[1]
    return grants


def grant_browser_access(appeal_id: int) -> None:
    """Remember in the signed session that this browser proved it may see the appeal."""
    granted = [[i, at] for i, at in _grants().items() if i != appeal_id]
    cookie_session[_GRANTS_KEY] = [*granted, [appeal_id, now_seconds()]][-_MAX_GRANTS:]


def browser_has_access(appeal: Appeal) -> bool:
    return browser_may_view(appeal.id)


def browser_may_view(appeal_id: int) -> bool:
    """This browser filed the appeal or gave its access code, within the right's lifetime."""
    return appeal_id in _grants()


def citizen_may_view(user: User | None, appeal: Appeal) -> bool:
    """The owner, or a browser that filed it or gave its access code."""
    if user is not None and user.is_authenticated and appeal.citizen_id == user.id:
        return True
    return browser_has_access(appeal)
