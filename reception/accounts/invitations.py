"""Links sent by e-mail: set a password (invitation, reset) and confirm an address.

Signed, expiring, and good for one use.

The token carries the user's id and a fingerprint of the current password hash. Setting a
password changes the hash, so the link stops working the moment it has been used, and
no table of issued links is needed. The fingerprint is a few bytes of a SHA-256 of the
argon2 hash: it tells nothing about the password.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy.orm import Session

from reception.accounts.models import User

SALT = "reception.invitation"
INVITATION_VALID_HOURS = 72


@dataclass(frozen=True)
class InvitationSettings:
    secret_key: str
    base_url: str
    valid_hours: int = INVITATION_VALID_HOURS

    @classmethod
    def from_config(cls, config) -> InvitationSettings:
        return cls(secret_key=config["SECRET_KEY"], base_url=config["RECEPTION_BASE_URL"])

    def url(self, token: str) -> str:
        return f"{self.base_url}/account/set-password/{token}"


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    # The clock is handed in, as everywhere else, so that expiry can be tested.
    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=Signer)


RESET_VALID_HOURS = 2


def make_invitation_token(
    user: User, *, settings: InvitationSettings, now: datetime, purpose: str = "invite"
) -> str:
    """A link token; a password reset ("reset") lives RESET_VALID_HOURS, an invitation longer."""
    return _serializer(settings.secret_key, now).dumps(
        {"u": user.id, "p": _fingerprint(user), "k": purpose}
    )


def read_invitation_token(
    session: Session,
    token: str,
    *,
    settings: InvitationSettings,
    now: datetime,
    purposes: tuple[str, ...] = ("invite", "reset"),
) -> User | None:
    """Return the active user a valid, unused, unexpired token was made for, or None.

    A token is good only for what it was made for: an e-mail confirmation link cannot set
    a password, nor a password link confirm an address.
    """
    if not token or len(token) > 500:
        return None
    try:
        data, issued = _serializer(settings.secret_key, now).loads(
            token,
            max_age=int(timedelta(hours=settings.valid_hours).total_seconds()),
            return_timestamp=True,
        )
    except BadSignature:  # also covers expired tokens
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if data.get("k", "invite") not in purposes:
        return None
    if data.get("k") == "reset" and now - issued > timedelta(hours=RESET_VALID_HOURS):
        return None
    user = session.get(User, data["u"]) if 0 < data["u"] < 2**31 else None
    if user is None or not user.is_active or data.get("p") != _fingerprint(user):
        return None
    return user
