"""Starting a session: fresh on every log-in, and held at the second step when one is due."""

from __future__ import annotations

import time

from flask import session, url_for
from flask_login import login_user

from reception.accounts.models import User
from reception.core import inputs
from reception.extensions import db

# Between the password and the second factor: who, since when, and where to go next.
PENDING_KEY = "pending_login"
PENDING_SECONDS = 300


def safe_next(target: str | None, default: str) -> str:
    """Follow `next` only to a path on this site (no open redirects): see inputs.safe_next."""
    return inputs.safe_next(target, default)


def clear_session_keeping_language() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User) -> None:
    # A fresh session on log-in closes session fixation.
    clear_session_keeping_language()
    login_user(user)
    session.permanent = True


def home_for(user: User) -> str:
    if user.role == "citizen":
        return url_for("appeals.my_appeals")
    if user.role == "admin":
        return url_for("admin.home")
    return url_for("review.queue")


def start_pending_login(user: User, next_url: str | None) -> None:
    """The password was right; remember the person until the second factor is checked."""
    clear_session_keeping_language()
    session[PENDING_KEY] = {"u": user.id, "t": int(time.time()), "n": next_url or ""}


def pending_login() -> tuple[User, str] | None:
    """The person half-way through logging in, and where to send them, if not expired."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if not 0 <= time.time() - data.get("t", 0) <= PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active or not user.two_factor_enabled:
        return None
    return user, data.get("n") or ""


def pending_user_id() -> str:
    """The rate-limit key of the second step: the person, whichever address they use."""
    data = session.get(PENDING_KEY)
    return f"pending-login:{data.get('u') if isinstance(data, dict) else 'none'}"
