"""Password hashing with argon2 (the library's recommended parameters by default)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that a wrong e-mail costs the same
# time as a wrong password and log-in does not reveal who has an account.
_dummy_hash = _hasher.hash("reception-dummy-password")


def configure_hashing(time_cost: int | None = None, memory_cost: int | None = None) -> None:
    """Set the argon2 cost (the test settings lower it; production keeps the defaults)."""
    global _hasher, _dummy_hash
    defaults = PasswordHasher()
    _hasher = PasswordHasher(
        time_cost=time_cost or defaults.time_cost,
        memory_cost=memory_cost or defaults.memory_cost,
    )
    _dummy_hash = _hasher.hash("reception-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    try:
        return _hasher.verify(stored or _dummy_hash, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
