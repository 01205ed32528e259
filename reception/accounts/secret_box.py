"""Encryption of the second-factor secrets at rest, with a key of their own.

A TOTP secret is the factor itself: whoever reads it from a copy of the database (a backup,
a replica, a leaked dump) makes valid codes for ever. It is therefore stored encrypted with
Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) under keys that
live in the settings, not in the database.

RECEPTION_TOTP_KEYS is a comma-separated list of keys: the first encrypts, every one of
them decrypts. To rotate, put a new key first, restart, run `flask --app wsgi totp rotate`
(it re-encrypts every secret with the first key), then drop the old key.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from collections.abc import Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Where no key is configured (development and tests only), one is derived from SECRET_KEY
# under this label, so that it differs from every other use of that key.
_DERIVATION_LABEL = b"reception.totp-secret-key.v1:"


class SecretBoxError(RuntimeError):
    """The keys are missing or malformed, or a stored secret does not open with them."""


def new_key() -> str:
    """A fresh key for RECEPTION_TOTP_KEYS."""
    return Fernet.generate_key().decode("ascii")


def derived_key(secret_key: str) -> str:
    digest = hashlib.sha256(_DERIVATION_LABEL + secret_key.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


class SecretBox:
    """Encrypt with the first key, decrypt with any."""

    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise SecretBoxError("RECEPTION_TOTP_KEYS holds no key")
        try:
            self._fernets = [Fernet(key.encode("ascii")) for key in keys]
        except (ValueError, TypeError, UnicodeError) as error:
            raise SecretBoxError(
                "RECEPTION_TOTP_KEYS must hold Fernet keys (32 url-safe base64 bytes each); "
                "make one with `flask --app wsgi totp new-key`"
            ) from error
        self._multi = MultiFernet(self._fernets)

    @classmethod
    def from_config(cls, config: Mapping) -> SecretBox:
        keys = tuple(config.get("TOTP_KEYS") or ())
        if not keys:
            if config.get("ENV_NAME") == "production":
                logging.getLogger("reception").warning(
                    "RECEPTION_TOTP_KEYS is not set: second-factor secrets are encrypted with a "
                    "key derived from SECRET_KEY; give them a key of their own "
                    "(`flask --app wsgi totp new-key`)"
                )
            # An app made before its environment was (a test) may hold no SECRET_KEY yet.
            keys = (derived_key(config.get("SECRET_KEY") or os.environ.get("SECRET_KEY", "")),)
        return cls(keys)

    def encrypt(self, secret: str) -> str:
        return self._multi.encrypt(secret.encode("ascii")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        try:
            return self._multi.decrypt(stored.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as error:
            raise SecretBoxError("a stored second-factor secret does not open") from error

    def is_current(self, stored: str) -> bool:
        """Whether the first (newest) key opens it."""
        try:
            self._fernets[0].decrypt(stored.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True

    def rotate(self, stored: str) -> str:
        """The same secret, encrypted with the first key."""
        try:
            return self._multi.rotate(stored.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as error:
            raise SecretBoxError("a stored second-factor secret does not open") from error
