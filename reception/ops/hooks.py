"""Where operations plug into the application: each request, the session's commits, the
database driver's errors, the user loader and Flask-Login's log-out signal."""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from reception.core.database import forget_transaction
from reception.core.types import utcnow
from reception.extensions import db
from reception.ops import logs, metrics, security_log
from reception.ops.models import SecurityEvent

request_log = logging.getLogger("reception.request")
security_logger = logging.getLogger("reception.security")
REQUEST_ID_HEADER = "X-Request-ID"
_installed_globally = False


def _trusts_request_id(app: Flask) -> bool:
    return bool(app.config.get("RECEPTION_PROXY_COUNT")) or bool(
        app.config.get("RECEPTION_TRUST_REQUEST_ID")
    )


def _state(obj):
    """The ORM state of a mapped object, or None (an anonymous user, nothing)."""
    return None if obj is None else inspect(obj, raiseerr=False)


def _note_actor(user) -> None:
    """Remember who acts, from a user row as it is loaded: reading its attributes could
    query the database again (after a commit they are expired), so only the ORM state is
    read."""
    state = _state(user)
    if state is None or not state.identity:
        return
    noted = g.get("ops_actor")
    role = state.dict.get("role")
    if role is None and noted is not None and noted[0] == state.identity[0]:
        role = noted[1]
    g.ops_actor = (state.identity[0], role)
    logs.set_actor(*g.ops_actor)


def _actor() -> tuple[int | None, str | None]:
    here = g._get_current_object()
    state = _state(here.get("_login_user"))
    if state is not None and state.identity:
        noted = here.get("ops_actor")
        if noted is None or noted[0] != state.identity[0] or noted[1] is None:
            _note_actor(here.get("_login_user"))
        return here.get("ops_actor", (None, None))
    key_state = _state(here.get("api_key"))
    if key_state is not None:
        owner = _state(key_state.dict.get("user"))
        if owner is not None and owner.identity:
            return owner.identity[0], owner.dict.get("role")
        return key_state.dict.get("user_id"), None
    return None, None


def install_request_hooks(app: Flask) -> None:
    # These run on every request: each reads the request and `g` once (each access through
    # Flask's proxies costs a lookup of the context).
    @app.before_request
    def start_trail():
        here = g._get_current_object()
        here.ops_started = time.perf_counter()
        trusted = _trusts_request_id(app)
        offered = request.headers.get(REQUEST_ID_HEADER) if trusted else None
        here.request_id = logs.incoming_request_id(offered, trusted)
        logs.set_request_id(here.request_id)

    @app.after_request
    def finish_trail(response):
        asked = request._get_current_object()
        here = g._get_current_object()
        rule = asked.url_rule
        route = rule.rule if rule is not None else "(unmatched)"
        method = asked.method
        started = here.get("ops_started")
        duration = time.perf_counter() - started if started is not None else 0.0
        user_id, role = _actor()
        status = response.status_code
        counted, timed = metrics.request_series(route, method, status)
        counted.inc()
        timed.observe(duration)
        if status == 429:
            metrics.RATE_LIMITED.labels(route).inc()
        _store_security_events(app, response, user_id)
        request_log.info(
            "request",
            extra={
                "route": route,
                "endpoint": asked.endpoint,
                "method": method,
                "status": status,
                "duration_ms": round(duration * 1000, 1),
                "user_id": user_id,
                "role": role,
            },
        )
        request_id = here.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.teardown_request
    def end_trail(_exc):
        logs.clear_context()


def _store_security_events(app: Flask, response, user_id: int | None) -> None:
    """Write what this answer says about security, and events left by signals.

    By now the view has committed what it meant to keep; anything else would be rolled back
    at the end of the request (a refused request, a failed log-in). So the session is rolled
    back first and the events are written in a transaction of their own. Writing an event
    never changes the answer: a failure is logged.
    """
    now = utcnow()
    try:
        found = security_log.events_for_response(response, user_id=user_id, now=now)
    except SQLAlchemyError:
        forget_transaction()
        found = []
    waiting = (
        [obj for obj in db.session.new if isinstance(obj, SecurityEvent)]
        if (db.session.registry.has())
        else []
    )
    if not found and not waiting:
        return
    try:
        forget_transaction()
        for entry in waiting:
            db.session.add(entry)
        for kind, subject, detail in found:
            security_log.record_security_event(
                db.session, kind, user_id=subject, detail=detail, now=now
            )
        db.session.commit()
    except SQLAlchemyError as error:
        forget_transaction()
        security_logger.warning(
            "security event not stored",
            extra={
                "kinds": [kind for kind, _, _ in found] + [e.kind for e in waiting],
                "error_type": type(error).__name__,
            },
        )


# --- Counting what commits ------------------------------------------------------------------


def _after_flush(session: Session, _context) -> None:
    from reception.appeals.models import Appeal, AppealEvent

    counts = session.info.setdefault("ops_counts", [])
    for obj in session.new:
        if isinstance(obj, Appeal):
            counts.append((metrics.APPEALS_FILED, obj.channel or "web"))
        elif isinstance(obj, AppealEvent):
            counts.append((metrics.ACTIONS, obj.action))
        elif isinstance(obj, SecurityEvent):
            counts.append((metrics.SECURITY_EVENTS, obj.kind))
            security_logger.info(
                "security event",
                extra={"kind": obj.kind, "subject_user_id": obj.user_id},
            )


def _after_commit(session: Session) -> None:
    for counter, label in session.info.pop("ops_counts", []):
        counter.labels(str(label)[:40]).inc()


def _after_rollback(session: Session) -> None:
    session.info.pop("ops_counts", None)


def _before_flush_request_id(session: Session, _context, _instances) -> None:
    from reception.notifications.models import OutboxMessage

    for obj in session.new:
        if isinstance(obj, OutboxMessage) and obj.request_id is None:
            obj.request_id = logs.current_request_id()


def _database_error(context) -> None:
    kind = "disconnect" if context.is_disconnect else "error"
    metrics.DATABASE_ERRORS.labels(kind).inc()


def install_global_listeners() -> None:
    """Listeners on the shared session and on every engine: once per process."""
    global _installed_globally
    if _installed_globally:
        return
    _installed_globally = True
    security_log.install_model_listeners(db.session)
    event.listen(db.session, "before_flush", _before_flush_request_id)
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "after_commit", _after_commit)
    event.listen(db.session, "after_rollback", _after_rollback)
    event.listen(Engine, "handle_error", _database_error)

    from flask_login import user_logged_out

    user_logged_out.connect(_logged_out)


def _logged_out(_app, user=None, **_extra) -> None:
    subject = None
    if user is not None:
        try:
            identity = inspect(user).identity
            subject = identity[0] if identity else None
        except Exception:
            subject = None
    security_log.record_security_event(db.session, "session_ended", user_id=subject)


def wrap_user_loader() -> None:
    """Note the id and role of the user Flask-Login loads, while the row is fresh."""
    from reception.extensions import login_manager

    original = login_manager._user_callback
    if original is None or getattr(original, "_ops_wrapped", False):
        return

    def load_and_note(user_id):
        user = original(user_id)
        if user is not None:
            _note_actor(user)
        return user

    load_and_note._ops_wrapped = True
    login_manager.user_loader(load_and_note)
