"""Cache-Control: pages with personal data never stay in a cache or the browser's history.

Every response gets `Cache-Control: no-store` unless it set its own, is a static file, or
is one of the few public pages, asked for by a visitor who is not logged in and holds no
right to see an appeal. So a new page is private by default: a receipt, a tracking
result, "my appeals", the staff's appeal pages and queue, the administration and the
JSON API's answers are never written to a shared cache or to disk.
"""

from __future__ import annotations

from flask import Flask, Response, request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

# Public pages a shared cache may keep (the same for every visitor, nothing personal).
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "core.home",
        "core.healthz",
        "monitoring.stats",
        "openapi.document",
        "open311.discovery",
        "open311.services",
        "open311.service_definition",
        "open311.list_requests",
        "open311.get_request",
    }
)
# What in a visitor's session gives access to something personal.
_PERSONAL_SESSION_KEYS = ("_user_id", "granted_appeals", "receipts", "pending_login")


def _personal_session() -> bool:
    if any(key in session for key in _PERSONAL_SESSION_KEYS):
        return True
    try:
        return bool(current_user and current_user.is_authenticated)
    except SQLAlchemyError:  # the user cannot be loaded: treat the answer as private
        return True


def _carries_a_key() -> bool:
    """An API key in the request (Open311's `api_key`, a Bearer header): the answer may hold
    what that key filed, in full, so it is as personal as a logged-in page."""
    return bool(request.args.get("api_key") or request.headers.get("Authorization"))


def needs_no_store() -> bool:
    if request.endpoint == "static":
        return False
    return request.endpoint not in PUBLIC_ENDPOINTS or _carries_a_key() or _personal_session()


def install_no_store(app: Flask) -> None:
    @app.after_request
    def add_cache_control(response: Response) -> Response:
        if "Cache-Control" not in response.headers and needs_no_store():
            response.headers["Cache-Control"] = "no-store"
        return response
