"""Starting a session: fresh on every log-in, and held at the second step when one is due."""

from __future__ import annotations

import time

from flask import current_app, g, request, session, url_for
from flask_login import login_user

from reception.accounts import user_sessions
from reception.accounts.models import User
from reception.core import inputs
from reception.core.types import utcnow
from reception.domain.workflow import Role
from reception.extensions import db

# The cookie's name for the server-side session record (accounts.user_sessions).
SESSION_KEY = "_sid"

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
    """Log the person in: a fresh cookie and a new server-side record (committed here)."""
    # A fresh session on log-in closes session fixation.
    clear_session_keeping_language()
    token = user_sessions.open_session(
        db.session,
        user,
        now=utcnow(),
        user_agent=request.headers.get("User-Agent", ""),
        address=request.remote_addr or "",
    )
    db.session.commit()
    login_user(user)
    session[SESSION_KEY] = token
    session.permanent = True


def current_session_token() -> str | None:
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def end_current_session() -> None:
    """Log out: end the record (every copy of the cookie) and empty this cookie."""
    token = current_session_token()
    if token:
        user_sessions.end_session(db.session, token, now=utcnow(), reason="logout")
        db.session.commit()
    clear_session_keeping_language()


def load_logged_in_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, only while the cookie's record is alive.

    A cookie without a record (from before records existed, or Flask-Login's remember
    cookie), with an ended or expired record, or of a deactivated person logs in no one,
    and is emptied so that nothing else it carries (appeals it may see) outlives the log-in.
    """
    token = current_session_token()
    ident = inputs.parse_id(user_id)
    found = (
        user_sessions.find_session(db.session, token, ident)
        if token and ident is not None
        else None
    )
    now = utcnow()
    policy = user_sessions.SessionPolicy.from_config(current_app.config)
    if found is None or not found[1].is_active or not policy.alive(found[0], now):
        clear_session_keeping_language()
        return None
    record, user = found
    if user_sessions.needs_touch(record, now):
        g.touch_session_id = record.id
    return user


def touch_session_after_request(response):
    """Note the time of use (at most once a minute), in its own short transaction."""
    record_id = g.pop("touch_session_id", None)
    if record_id is not None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with db.engine.begin() as connection:
                connection.execute(user_sessions.update_last_seen(record_id, utcnow()))
        except SQLAlchemyError:
            # Only the idle clock is lost; the page is answered all the same.
            current_app.logger.warning("could not record the use of a session", exc_info=True)
    return response


def home_for(user: User) -> str:
    if user.role == Role.citizen:
        return url_for("appeals.my_appeals")
    if user.role == Role.admin:
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
