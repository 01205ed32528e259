"""API keys: a random secret shown once; only its SHA-256 is stored.

A fast hash is right here (unlike passwords): the key has 256 bits of randomness, so
it cannot be guessed, and every API call must check it quickly.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.accounts.models import ApiKey, User

KEY_PREFIX = "rk_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    session: Session, *, name: str, now: datetime, user: User | None = None
) -> tuple[ApiKey, str]:
    """Add a key and return it with its secret (the only time the secret exists)."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip()[:200] or "key",
        prefix=secret[:10],
        key_hash=_digest(secret),
        user=user,
        created_at=now,
    )
    session.add(key)
    return key, secret


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    """Return the active key for a secret, or None."""
    if not secret or len(secret) > 200:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(secret)))
    return key if key is not None and key.revoked_at is None else None
