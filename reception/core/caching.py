"""Cache-Control: pages with personal data never stay in a cache or the browser's history.

Every response gets `Cache-Control: no-store` unless it set its own, is a static file, or
is one of the few public pages, asked for by a visitor who is not logged in and holds no
right to see an appeal. So a new page is private by default: a receipt, a tracking
result, "my appeals", the staff's appeal pages and queue, the administration and the
JSON API's answers are never written to a shared cache or to disk.

The public pages that cost queries (`/stats`, the home page) are also kept by the
application: `@public_page` renders one at most once per RECEPTION_CACHE_SECONDS for each
language and address, for anonymous visitors only, in Redis when RECEPTION_CACHE_URL
points to one (by default the rate limiter's Redis), in this process's memory otherwise;
and sends it with `Cache-Control: public, max-age=...`, so that nginx or a CDN may keep it
too. A visitor with anything personal in the session gets the page rendered for them, with
`no-store`, as before.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, make_response, request, session

log = logging.getLogger(__name__)

# Public pages a shared cache may keep (the same for every visitor, nothing personal).
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "core.home",
        "core.healthz",
        "monitoring.stats",
        "open_data.body",
        "open_data.data_csv",
        "open_data.data_json",
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
    # A log-in lives in the session only (no remember cookie is honoured: extensions.
    # ReceptionLoginManager): without these keys the visitor is anonymous, and nothing is
    # loaded to say so.
    return not session._get_current_object().keys().isdisjoint(_PERSONAL_SESSION_KEYS)


def _carries_a_key() -> bool:
    """An API key in the request (Open311's `api_key`, a Bearer header): the answer may hold
    what that key filed, in full, so it is as personal as a logged-in page."""
    asked = request._get_current_object()
    return bool(asked.args.get("api_key") or asked.headers.get("Authorization"))


def needs_no_store() -> bool:
    endpoint = request.endpoint
    if endpoint == "static":
        return False
    return endpoint not in PUBLIC_ENDPOINTS or _carries_a_key() or _personal_session()


def install_no_store(app: Flask) -> None:
    @app.after_request
    def add_cache_control(response: Response) -> Response:
        if "Cache-Control" not in response.headers and needs_no_store():
            response.headers["Cache-Control"] = "no-store"
        return response


class MemoryPageCache:
    """A small LRU of rendered pages (or other answers) in this process, each kept for its
    own time."""

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def set(self, key: Hashable, value: Any, seconds: int) -> None:
        with self._lock:
            now = time.monotonic()
            # Expired entries go when anything is stored, not only when asked for again:
            # yesterday's open data file (megabytes) is never asked for again.
            for old in [k for k, (expires, _) in self._items.items() if expires < now]:
                del self._items[old]
            self._items[key] = (now + seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RedisPageCache:
    """Rendered pages in Redis, shared by every worker and host; a failure is a miss."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get(key)
        except Exception:  # noqa: BLE001 (a cache that cannot answer is only slower)
            log.warning("page cache unavailable", exc_info=True)
            return None

    def set(self, key: str, value: bytes, seconds: int) -> None:
        try:
            self.client.set(key, value, ex=seconds)
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable", exc_info=True)

    def clear(self) -> None:
        try:
            for key in self.client.scan_iter("reception:page:*"):
                self.client.delete(key)
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable", exc_info=True)


def cache_url(config) -> str:
    """RECEPTION_CACHE_URL, else the rate limiter's Redis, else this process's memory."""
    url = config.get("RECEPTION_CACHE_URL") or ""
    if not url:
        limiter = config.get("RATELIMIT_STORAGE_URI") or ""
        url = limiter if limiter.startswith(("redis://", "rediss://")) else "memory://"
    return url


def page_cache(app: Flask | None = None):
    app = app or current_app
    cache = app.extensions.get("reception_page_cache")
    if cache is None:
        url = cache_url(app.config)
        cache = MemoryPageCache() if url.startswith("memory://") else RedisPageCache(url)
        app.extensions["reception_page_cache"] = cache
    return cache


def _page_key() -> str:
    from reception.core.i18n import current_locale

    asked = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    digest = hashlib.sha256(f"{request.path}?{asked}".encode()).hexdigest()[:32]
    return f"reception:page:{request.endpoint}:{current_locale()}:{digest}"


def public_page(view):
    """Keep an anonymous visitor's rendering of a public page for RECEPTION_CACHE_SECONDS."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        seconds = int(current_app.config.get("RECEPTION_CACHE_SECONDS") or 0)
        if (
            seconds <= 0
            or request.method != "GET"
            or "_flashes" in session
            or request.endpoint not in PUBLIC_ENDPOINTS
            or _personal_session()
        ):
            return view(*args, **kwargs)
        cache = page_cache()
        key = _page_key()
        body = cache.get(key)
        if body is not None:
            response = Response(body, content_type="text/html; charset=utf-8")
            response.headers["X-Page-Cache"] = "hit"
        else:
            response = make_response(view(*args, **kwargs))
            if (
                response.status_code != 200
                or response.direct_passthrough
                or b'name="csrf_token"' in response.get_data()  # a token is one visitor's
            ):
                return response
            cache.set(key, response.get_data(), seconds)
            response.headers["X-Page-Cache"] = "miss"
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
        # The language comes from the browser or the session's choice.
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response

    return wrapper
