"""API keys in requests: Open311's `api_key` parameter and the JSON API's Bearer header."""

from __future__ import annotations

import hashlib

from flask import g, request
from flask_limiter.util import get_remote_address

from reception.accounts.apikeys import find_api_key
from reception.accounts.models import ApiKey
from reception.extensions import db


def bearer_secret() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def current_api_key(secret: str) -> ApiKey | None:
    """The active key for a secret, looked up once per request."""
    if "api_key" not in g:
        g.api_key = find_api_key(db.session, secret) if secret else None
    return g.api_key


def rate_limit_key() -> str:
    """Count API calls per key when one is given, else per address."""
    secret = bearer_secret() or request.values.get("api_key", "")
    if secret:
        return "key:" + hashlib.sha256(secret.encode()).hexdigest()[:16]
    return "ip:" + get_remote_address()
