"""TOTP codes and recovery codes (pure functions), checked against RFC 6238's own table."""

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from reception.accounts import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_codes_match_the_rfc_6238_test_vectors(unix_time, expected):
    step = totp.step_at(datetime.fromtimestamp(unix_time, UTC))
    assert totp.code_for_step(RFC_SECRET, step, digits=8) == expected


def test_a_code_is_good_for_one_step_either_side_and_only_once():
    secret = totp.new_secret()
    now = datetime(2026, 11, 23, 9, 0, 15, tzinfo=UTC)
    code = totp.code_at(secret, now)
    step = totp.step_at(now)
    assert totp.matching_step(secret, code, now, last_step=None) == step
    assert totp.matching_step(secret, code, now + timedelta(seconds=30), last_step=None) == step
    assert totp.matching_step(secret, code, now - timedelta(seconds=30), last_step=None) == step
    assert totp.matching_step(secret, code, now + timedelta(seconds=75), last_step=None) is None
    # Replayed: the step was used already.
    assert totp.matching_step(secret, code, now, last_step=step) is None
    # Typed with a space, as the apps show it.
    assert totp.matching_step(secret, f"{code[:3]} {code[3:]}", now, last_step=None) == step


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "\x00" * 6])
def test_malformed_codes_are_refused(typed):
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert totp.matching_step(totp.new_secret(), typed, now, last_step=None) is None


def test_the_provisioning_address_is_what_authenticator_apps_read():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="head@akimat.kz", issuer="Reception")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Reception:head@akimat.kz"
    query = parse_qs(parts.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"] and query["issuer"] == ["Reception"]
    assert query["digits"] == ["6"] and query["period"] == ["30"]


def test_secrets_are_160_bits_of_base32_and_differ():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(base64.b32decode(s)) == 20 for s in secrets)
    assert totp.group_secret("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_recovery_codes_are_unambiguous_and_hashed_the_same_however_typed():
    codes = totp.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    for code in codes:
        assert len(code) == 14 and code[4] == code[9] == "-"
        assert totp.looks_like_recovery_code(code)
        assert not set(code.replace("-", "")) & set("01ILO")
    code = codes[0]
    typed = code.lower().replace("-", " ")
    assert totp.recovery_code_hash(typed) == totp.recovery_code_hash(code)
    assert not totp.looks_like_recovery_code("123456")
