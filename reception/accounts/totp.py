"""Time-based one-time passwords (RFC 6238) and recovery codes: pure functions, no Flask.

Any authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP, Aegis...)
reads the `otpauth://` address from a QR code and shows a new 6-digit code every 30
seconds. A code is accepted for one step either side of now (clocks drift) and never twice:
the caller keeps the last step used and hands it back.

The codes themselves come from pyotp (RFC 4226/6238, checked against the RFCs' own tables in
its test suite and in ours); what is ours is the policy around them: the drift window, refusing
a step already used, what a typed code may look like, and the recovery codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote, urlencode

import pyotp

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
DRIFT_STEPS = 1

# Recovery codes: unambiguous characters (no 0/O, 1/I/L), 12 of them, 60 bits each.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_LENGTH = 12
RECOVERY_COUNT = 10


class _Totp(pyotp.TOTP):
    # Secrets made here have 160 bits; a shorter one already stored (80 bits is the common
    # minimum of authenticator apps) keeps opening rather than stopping its owner's log-in.
    min_secret_length_bits = 80


def new_secret() -> str:
    """A fresh shared secret, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _generator(secret: str, *, digits: int = DIGITS, digest=hashlib.sha1) -> pyotp.TOTP:
    return _Totp(
        secret.replace(" ", "").upper(), digits=digits, digest=digest, interval=STEP_SECONDS
    )


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_for_step(secret: str, step: int, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """The HOTP value (RFC 4226) of one time step."""
    return _generator(secret, digits=digits, digest=digest).generate_otp(step)


def code_at(secret: str, moment: datetime) -> str:
    return code_for_step(secret, step_at(moment))


def normalize_code(value: str) -> str:
    """What a person typed, without spaces, dashes and case."""
    return "".join(ch for ch in (value or "") if ch.isascii() and ch.isalnum()).upper()


def matching_step(secret: str, code: str, moment: datetime, *, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is valid now and newer than `last_step`."""
    code = normalize_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    generator = _generator(secret)
    now_step = step_at(moment)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue  # a code is good once: replaying it is refused
        if hmac.compare_digest(generator.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code.

    Written here rather than with pyotp's provisioning_uri, which leaves out `digits` and
    `period` when they are the defaults and escapes the `@` of the account: the address (and
    so the QR code) stays the one people have already scanned.
    """
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def group_secret(secret: str) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes(count: int = RECOVERY_COUNT) -> list[str]:
    """Fresh one-time recovery codes, formatted XXXX-XXXX-XXXX."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def recovery_code_hash(code: str) -> str:
    """What is stored of a recovery code (60 random bits: a plain SHA-256 is enough)."""
    return hashlib.sha256(normalize_code(code).encode("ascii", "ignore")).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    cleaned = normalize_code(code)
    return len(cleaned) == RECOVERY_LENGTH and all(ch in RECOVERY_ALPHABET for ch in cleaned)
