"""API keys in requests: Open311's `api_key` parameter and the JSON API's Bearer header."""

from __future__ import annotations

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
    """The active key for a secret, looked up once per request (and per secret: a request
    naming one key in its address and another in its form gets each checked)."""
    here = g._get_current_object()
    keys = here.setdefault("api_keys", {})
    if secret not in keys:
        keys[secret] = find_api_key(db.session, secret) if secret else None
    # The key the request acts with, for the security event log (reception/ops).
    if keys[secret] is not None or "api_key" not in here:
        here.api_key = keys[secret]
    return keys[secret]


def acting_secret() -> str:
    """The secret the view will act with, read from the same place the view reads it: the
    JSON API's Bearer header; Open311's `api_key` in the form of a POST, in the address of a
    GET. A made-up key sent elsewhere beside it must not move the count to another bucket."""
    if request.blueprint == "api":
        return bearer_secret()
    source = request.form if request.method == "POST" else request.args
    return source.get("api_key", "")


def rate_limit_key() -> str:
    """Count API calls per key, but only a key that checks out: the bucket is the key's id.

    Anything else (no key, a revoked one, any made-up string) counts against the client's
    address, so that sending a fresh random key with every call never gets a fresh bucket.
    """
    secret = acting_secret()
    key = current_api_key(secret) if secret else None
    if key is not None:
        return f"key:{key.id}"
    return "ip:" + get_remote_address()
