"""Access codes: given once to the applicant, kept only as a salted hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from reception.domain.identifiers import normalize_access_code

# A fast salted hash is enough here: the code has about 50 bits of randomness and
# tracking is rate limited; a slow password hash would make every tracking page slow.
_SCHEME = "sha256"


def hash_access_code(code: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.sha256((salt + normalize_access_code(code)).encode()).hexdigest()
    return f"{_SCHEME}${salt}${digest}"


def access_code_matches(code: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$", 2)
    except ValueError:
        return False
    if scheme != _SCHEME:
        return False
    candidate = hashlib.sha256((salt + normalize_access_code(code)).encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)
