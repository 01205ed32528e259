"""IIN/BIN check digits, registration numbers and citizen access codes."""

from __future__ import annotations

import re
import secrets

# Weights of the IIN/BIN check digit; the second set is used when the first
# pass yields 10 (a check digit must be a single digit).
IIN_LENGTH = 12
IIN_WEIGHTS_FIRST: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
IIN_WEIGHTS_SECOND: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_IIN_MODULUS = 11

REGISTRATION_SEQ_DIGITS = 8
REGISTRATION_PREFIX_MAX = 10
# Letters only (ASCII by default, but a Cyrillic prefix such as eOtinish's "ЖТ"
# must round-trip); digits are explicit [0-9] because \d also matches
# non-ASCII digits such as "٢".
_PREFIX_RE = re.compile(rf"[^\W\d_]{{1,{REGISTRATION_PREFIX_MAX}}}")
_REGISTRATION_RE = re.compile(
    rf"({_PREFIX_RE.pattern})-([0-9]{{4}})-([0-9]{{{REGISTRATION_SEQ_DIGITS}}})"
)
# Longest canonical number plus slack for surrounding whitespace; anything
# longer is garbage and is rejected before any further work.
_REGISTRATION_INPUT_MAX = 64

# No 0/O, 1/I/L: codes are read aloud on the phone and copied from paper.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 10
ACCESS_CODE_GROUP = 5
# Hyphen look-alikes too: codes get pasted from word processors and PDFs.
_ACCESS_CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def _iin_check_digit(digits: list[int]) -> int | None:
    """Return the check digit for the first eleven digits, or None if none exists."""
    for weights in (IIN_WEIGHTS_FIRST, IIN_WEIGHTS_SECOND):
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % _IIN_MODULUS
        if check != 10:
            return check
    return None


def iin_problem(value: str) -> str | None:
    """Return why an IIN/BIN is invalid ("format", "length", "checksum") or None."""
    if not isinstance(value, str) or (value and not (value.isascii() and value.isdigit())):
        return "format"
    if len(value) != IIN_LENGTH:
        return "length"
    digits = [int(ch) for ch in value]
    if _iin_check_digit(digits[:-1]) != digits[-1]:
        return "checksum"
    return None


def iin_is_valid(value: str) -> bool:
    """Return True if value is a 12-digit IIN or BIN with a correct check digit."""
    return iin_problem(value) is None


bin_is_valid = iin_is_valid


def format_registration_number(prefix: str, year: int, seq: int) -> str:
    """Return the receipt number, e.g. "RC-2026-00000742"."""
    prefix = prefix.strip().upper()
    if not _PREFIX_RE.fullmatch(prefix):
        raise ValueError(f"prefix must be 1-{REGISTRATION_PREFIX_MAX} letters: {prefix!r}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    if not 1 <= seq < 10**REGISTRATION_SEQ_DIGITS:
        raise ValueError(f"sequence out of range: {seq}")
    return f"{prefix}-{year}-{seq:0{REGISTRATION_SEQ_DIGITS}d}"


def parse_registration_number(value: str) -> tuple[str, int, int] | None:
    """Return (prefix, year, seq) from a receipt number, or None if it is not one."""
    if not isinstance(value, str) or len(value) > _REGISTRATION_INPUT_MAX:
        return None
    match = _REGISTRATION_RE.fullmatch(value.strip().upper())
    if match is None:
        return None
    prefix, year, seq = match.group(1), int(match.group(2)), int(match.group(3))
    if year < 1000 or seq < 1:
        return None
    return prefix, year, seq


def normalize_registration_number(value: str) -> str | None:
    """Return the canonical form of a receipt number, or None if it is not one."""
    parsed = parse_registration_number(value)
    return None if parsed is None else format_registration_number(*parsed)


def generate_access_code() -> str:
    """Return a fresh random access code such as "K7MPQ-3XZ9T"."""
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    groups = [raw[i : i + ACCESS_CODE_GROUP] for i in range(0, len(raw), ACCESS_CODE_GROUP)]
    return "-".join(groups)


def normalize_access_code(value: str) -> str:
    """Return the access code stripped of spaces and hyphens, in upper case."""
    if not isinstance(value, str):
        return ""
    return _ACCESS_CODE_SEPARATORS.sub("", value).upper()
