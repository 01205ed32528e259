"""The security event log: who logged in or failed to, who was refused what, which keys were
made and used, who exported personal data, what administrators changed.

Append-only for the application: `record_security_event` adds a row; nothing in the code
changes one, and only `purge_security_events` (the daily job) deletes those older than
RECEPTION_SECURITY_LOG_DAYS. On PostgreSQL a trigger refuses UPDATE.

Where events come from, so that they hold whichever way a view is written:
- changes to the models, seen when they are flushed, in the same transaction as the change:
  a completed log-in (`users.last_login_at` set), a new password, the second factor turned on
  or off, new recovery codes, an API key made or revoked, an administrator's audited change;
- the outcome of a request, in `after_request`: a failed log-in or second step (401), a
  rate-limited one (429), a refusal (403/404) on a staff page or the API, the first use of an
  API key in a day, a CSV export;
- Flask-Login's log-out signal (a session ended);
- explicit calls: `record_security_event(session, kind, ...)` for anything else (for example
  a lockout decided by the accounts code).

An e-mail is never stored: a failed log-in keeps a keyed hash of it (HMAC-SHA256 with the
application's SECRET_KEY), which the administration page can search by typing the address.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session

from reception.core.i18n import lazy_gettext as _l
from reception.ops.models import SecurityEvent

KINDS = {
    "login_succeeded": _l("Log-in"),
    "login_failed": _l("Failed log-in"),
    "login_rate_limited": _l("Log-in attempts limited"),
    "two_factor_failed": _l("Wrong second-step code"),
    "two_factor_locked": _l("Second step locked"),
    "password_changed": _l("Password changed"),
    "two_factor_enabled": _l("Two-step verification turned on"),
    "two_factor_disabled": _l("Two-step verification turned off"),
    "recovery_codes_issued": _l("New recovery codes"),
    "session_ended": _l("Log-out (session ended)"),
    "access_refused": _l("Access refused"),
    "api_key_created": _l("API key created"),
    "api_key_used": _l("API key used (first use of the day)"),
    "api_key_revoked": _l("API key revoked"),
    "personal_data_export": _l("Export of personal data"),
    "admin_change": _l("Administrator's change"),
}
# Blueprints whose 403/404 answers are refusals worth recording (public pages are not).
STAFF_BLUEPRINTS = ("review", "admin", "monitoring", "api")
PUBLIC_ENDPOINTS = frozenset({"monitoring.stats"})
MAX_DETAIL_VALUE = 120


def email_hash(email: str, secret: str | None = None) -> str:
    """A keyed hash of a normalised e-mail: comparable, not readable."""
    key = (secret if secret is not None else current_app.config.get("SECRET_KEY") or "").encode()
    normalised = (email or "").replace("\x00", "").strip().lower()
    return hmac.new(key, b"security-log:" + normalised.encode(), hashlib.sha256).hexdigest()[:32]


def client_address() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def _short(value) -> object:
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)[:MAX_DETAIL_VALUE]


def record_security_event(
    session: Session,
    kind: str,
    *,
    user_id: int | None = None,
    detail: dict | None = None,
    now: datetime | None = None,
    address: str | None = None,
) -> SecurityEvent:
    """Add an event to the session; the caller's commit stores it with its change."""
    from reception.core.types import utcnow

    entry = SecurityEvent(
        at=now or utcnow(),
        kind=kind,
        user_id=user_id,
        address=address if address is not None else client_address(),
        detail={str(k): _short(v) for k, v in (detail or {}).items()},
    )
    session.add(entry)
    return entry


def purge_security_events(session: Session, *, now: datetime, days: int) -> int:
    """Delete the events older than the retention period (the daily job's part)."""
    if days <= 0:
        return 0
    result = session.execute(
        delete(SecurityEvent).where(SecurityEvent.at < now - timedelta(days=days))
    )
    return result.rowcount or 0


# --- Events seen in the models' changes --------------------------------------------------


def _actor_id() -> int | None:
    if not has_request_context():
        return None
    user = g.get("_login_user")
    identity = inspect(user).identity if user is not None and _is_mapped(user) else None
    return identity[0] if identity else None


def _is_mapped(obj) -> bool:
    try:
        inspect(obj)
    except Exception:
        return False
    return True


def _changed(obj, name: str) -> tuple[bool, object]:
    """(changed in this flush?, new value) for a column attribute of a persistent object."""
    state = inspect(obj)
    if name not in state.mapper.attrs:
        return False, None
    history = state.attrs[name].history
    if not history.has_changes():
        return False, None
    return True, (history.added[0] if history.added else None)


def _id_of(obj) -> int | None:
    """The primary key of a persistent object without loading it (None if not yet stored)."""
    if obj is None:
        return None
    identity = inspect(obj).identity
    return identity[0] if identity else None


def _events_for_flush(session: Session) -> list[tuple[str, int | None, dict]]:
    from reception.accounts.models import ApiKey, RecoveryCode, User
    from reception.admin.models import AuditEntry

    found: list[tuple[str, int | None, dict]] = []
    actor = _actor_id()
    by = {"by": actor} if actor is not None else {}
    codes_for: set[int] = set()
    for obj in list(session.new):
        if isinstance(obj, ApiKey):
            owner = obj.user_id or _id_of(obj.user)
            found.append(("api_key_created", owner, {"prefix": obj.prefix, **by}))
        elif isinstance(obj, AuditEntry) and obj.entity != "api_key":
            detail = {"entity": obj.entity, "entity_id": obj.entity_id, "action": obj.action}
            found.append(("admin_change", obj.actor_id or _id_of(obj.actor) or actor, detail))
        elif isinstance(obj, RecoveryCode):
            owner = obj.user_id or _id_of(getattr(obj, "user", None))
            if owner is not None and owner not in codes_for:
                codes_for.add(owner)
                found.append(("recovery_codes_issued", owner, by))
    for obj in list(session.dirty):
        ident = _id_of(obj)
        if ident is None:
            continue
        if isinstance(obj, User):
            changed, logged_in_at = _changed(obj, "last_login_at")
            if changed and logged_in_at is not None:
                found.append(("login_succeeded", ident, {}))
            if _changed(obj, "password_hash")[0]:
                found.append(("password_changed", ident, by))
            changed, enabled_at = _changed(obj, "totp_enabled_at")
            if changed:
                kind = "two_factor_enabled" if enabled_at is not None else "two_factor_disabled"
                found.append((kind, ident, by))
        elif isinstance(obj, ApiKey):
            changed, revoked_at = _changed(obj, "revoked_at")
            if changed and revoked_at is not None:
                owner = inspect(obj).dict.get("user_id")
                found.append(("api_key_revoked", owner, {"key_id": ident, **by}))
    return found


def _before_flush(session: Session, _context, _instances) -> None:
    if session.info.get("ops_no_security_events"):
        return
    for kind, user_id, detail in _events_for_flush(session):
        record_security_event(session, kind, user_id=user_id, detail=detail)


def install_model_listeners(scoped_session) -> None:
    event.listen(scoped_session, "before_flush", _before_flush)


# --- Events seen in a request's outcome ---------------------------------------------------


def _pending_user_id() -> int | None:
    from flask import session as cookie

    data = cookie.get("pending_login")
    value = data.get("u") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def _key_fingerprint(key_id: int) -> tuple[int, str]:
    """A process-cache key for an API key: its id and a hash of the secret sent (ids alone
    could be reused by a database that was emptied, as tests do)."""
    from reception.api.auth import acting_secret

    secret = acting_secret()
    return key_id, hashlib.sha256(secret.encode()).hexdigest()[:16]


def _api_key_used_today(session: Session, key_id: int, today_start: datetime) -> bool:
    """Whether the key's first use of the day is recorded already: asked of the database
    once per key, day and process, then remembered."""
    cache = current_app.extensions.setdefault("ops_api_key_days", {})
    fingerprint = _key_fingerprint(key_id)
    day = today_start.date()
    if cache.get(fingerprint) == day:
        return True
    cache[fingerprint] = day  # from now on this process records it no more today
    details = session.scalars(
        select(SecurityEvent.detail).where(
            SecurityEvent.kind == "api_key_used", SecurityEvent.at >= today_start
        )
    )
    return any(isinstance(d, dict) and d.get("key_id") == key_id for d in details)


def events_for_response(response, *, user_id: int | None, now: datetime) -> list[tuple]:
    """(kind, user id, detail) for what this answer says about security."""
    asked = request._get_current_object()  # read once: each use of the proxy looks it up
    endpoint = asked.endpoint or ""
    status = response.status_code
    method = asked.method
    key = g.get("api_key")
    quiet = method != "POST" and status not in (403, 404) and key is None
    if quiet and endpoint != "monitoring.export":
        return []  # none of the cases below: most answers end here
    route = request.url_rule.rule if request.url_rule is not None else None
    found = []
    if endpoint == "accounts.login" and method == "POST":
        email = request.form.get("email", "")
        if status == 401:
            found.append(("login_failed", None, {"email_hash": email_hash(email)}))
        elif status == 429:
            found.append(("login_rate_limited", None, {"email_hash": email_hash(email)}))
    elif endpoint == "two_factor.verify" and method == "POST":
        if status == 401:
            found.append(("two_factor_failed", _pending_user_id(), {}))
        elif status == 429:
            found.append(("two_factor_locked", _pending_user_id(), {}))
    blueprint = request.blueprint or ""
    if (
        status in (403, 404)
        and blueprint in STAFF_BLUEPRINTS
        and endpoint not in PUBLIC_ENDPOINTS
        and (user_id is not None or key is not None)
    ):
        detail = {"route": route, "method": method, "status": status}
        for name, value in (request.view_args or {}).items():
            detail[f"arg_{name}"] = value
        if key is not None:
            detail["key_id"] = inspect(key).identity[0]
        found.append(("access_refused", user_id, detail))
    if endpoint == "monitoring.export" and status == 200:
        detail = {
            name: request.args.get(name)
            for name in (
                "date_from",
                "date_to",
                "authority",
                "category",
                "region",
                "kind",
                "channel",
            )
            if request.args.get(name)
        }
        found.append(("personal_data_export", user_id, {"route": route, **detail}))
    if key is not None and status < 400:
        key_id = inspect(key).identity[0]
        start = datetime.combine(now.date(), datetime.min.time(), tzinfo=now.tzinfo)
        from reception.extensions import db

        if not _api_key_used_today(db.session, key_id, start):
            owner = inspect(key).dict.get("user_id")
            found.append(("api_key_used", owner, {"key_id": key_id, "route": route}))
    return found
