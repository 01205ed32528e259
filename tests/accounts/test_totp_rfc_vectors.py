"""The codes come from pyotp: RFC 6238's whole table (SHA-1, SHA-256, SHA-512) and our policy."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from reception.accounts import totp

SEEDS = {
    hashlib.sha1: b"12345678901234567890",
    hashlib.sha256: b"12345678901234567890123456789012",
    hashlib.sha512: b"1234567890123456789012345678901234567890123456789012345678901234",
}

# RFC 6238, Appendix B: (time, SHA-1, SHA-256, SHA-512), eight digits.
TABLE = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("unix_time", "sha1", "sha256", "sha512"), TABLE)
def test_every_rfc_6238_test_vector(unix_time, sha1, sha256, sha512):
    step = totp.step_at(datetime.fromtimestamp(unix_time, UTC))
    for digest, expected in zip(SEEDS, (sha1, sha256, sha512), strict=True):
        secret = base64.b32encode(SEEDS[digest]).decode()
        assert totp.code_for_step(secret, step, digits=8, digest=digest) == expected


def test_codes_are_the_ones_authenticator_apps_show():
    secret = totp.new_secret()
    moment = datetime(2026, 11, 23, 9, 0, 15, tzinfo=UTC)
    assert totp.code_at(secret, moment) == pyotp.TOTP(secret).at(moment)
    # Typed into an app by hand: in groups of four, any case.
    assert totp.code_at(totp.group_secret(secret).lower(), moment) == pyotp.TOTP(secret).at(moment)


def test_a_short_secret_already_stored_still_opens():
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    code = pyotp.TOTP("JBSWY3DPEHPK3PXP" * 2).at(now)  # a typical app's 160 bits
    assert totp.matching_step("JBSWY3DPEHPK3PXP" * 2, code, now, last_step=None)
    short = "JBSWY3DPEHPK3PXP"  # 80 bits
    code = totp.code_at(short, now)
    assert totp.matching_step(short, code, now + timedelta(seconds=29), last_step=None)
