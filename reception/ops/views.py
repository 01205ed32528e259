"""/readyz and /metrics: for load balancers and Prometheus, not for people."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from flask import Blueprint, Response, abort, current_app, request

from reception.core.types import utcnow
from reception.extensions import db, limiter
from reception.ops import health, metrics

bp = Blueprint("ops", __name__)
log = logging.getLogger("reception.ops")


@bp.route("/readyz")
@limiter.exempt
def readyz():
    """Whether this process can serve: database, Redis (if used), attachment store; and
    whether the background processes beat in time."""
    config = current_app.config
    failures: dict[str, str] = {}
    checks: dict[str, str] = {}
    problem = health.check_database(db.session)
    if problem:
        db.session.rollback()
    checks["database"] = "ok" if problem is None else "unavailable"
    if problem:
        failures["database"] = problem
    uri = config.get("RATELIMIT_STORAGE_URI", "")
    if uri.startswith(("redis://", "rediss://")):
        problem = health.check_redis(uri)
        checks["redis"] = "ok" if problem is None else "unavailable"
        if problem:
            failures["redis"] = problem
    problem = health.check_upload_folder(config["UPLOAD_FOLDER"])
    checks["attachments"] = "ok" if problem is None else "not writable"
    if problem:
        failures["attachments"] = problem

    heartbeats: dict[str, dict] = {}
    late: list[str] = []
    if "database" not in failures:
        now = utcnow()
        try:
            states = health.heartbeat_states(
                db.session, now=now, limits=health.HeartbeatLimits.from_config(config)
            )
        except Exception as error:  # a missing table or a blink: report, do not fail
            db.session.rollback()
            failures["heartbeats"] = type(error).__name__
            states = {}
        for name, (beat_at, allowed, is_late) in states.items():
            heartbeats[name] = {
                "last": beat_at.isoformat() if beat_at else None,
                "age_seconds": round((now - beat_at).total_seconds()) if beat_at else None,
                "allowed_seconds": round(allowed),
                "late": is_late,
            }
            if is_late:
                late.append(name)
    if failures:
        status, code = "unavailable", 503
    elif late:
        status = "degraded"
        code = 503 if config.get("RECEPTION_READYZ_FAIL_ON_LATE") else 200
    else:
        status, code = "ok", 200
    body = {"status": status, "checks": checks, "heartbeats": heartbeats}
    if failures:
        body["failed"] = sorted(failures)
        log.warning("readiness failed", extra={"failed": failures})
    if late:
        body["late"] = sorted(late)
    response = current_app.json.response(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def _address_allowed(address: str | None, allowed: tuple[str, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _token_given(expected: str | None) -> bool:
    if not expected:
        return False
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)


def metrics_allowed() -> bool:
    config = current_app.config
    return _token_given(config.get("RECEPTION_METRICS_TOKEN")) or _address_allowed(
        request.remote_addr, tuple(config.get("RECEPTION_METRICS_ALLOW", ()))
    )


@bp.route("/metrics")
@limiter.exempt
def metrics_page():
    if not metrics_allowed():
        abort(404)  # nothing here for anyone else; not even a hint that it exists
    from reception.core.web import local_today

    config = current_app.config
    limits = health.HeartbeatLimits.from_config(config)

    def read():
        try:
            return health.read_facts(db.session, now=utcnow(), today=local_today(), limits=limits)
        finally:
            db.session.rollback()

    body = metrics.render(metrics.DatabaseCollector(read, logger=log))
    return Response(body, content_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})
