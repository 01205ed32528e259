"""IIN/BIN check digits, registration numbers and access codes."""

import re

import pytest

from reception.domain.identifiers import (
    ACCESS_CODE_ALPHABET,
    bin_is_valid,
    format_registration_number,
    generate_access_code,
    iin_is_valid,
    iin_problem,
    normalize_access_code,
    normalize_registration_number,
    parse_registration_number,
)

# Written out here, not imported, so the test checks the published rule.
FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def weighted(eleven: str, weights: tuple[int, ...]) -> int:
    return sum(int(ch) * w for ch, w in zip(eleven, weights, strict=True)) % 11


def with_check_digit(eleven: str) -> str:
    """Append the check digit to eleven digits (the prefix must admit one)."""
    check = weighted(eleven, FIRST)
    if check == 10:
        check = weighted(eleven, SECOND)
    assert check != 10, f"{eleven} has no valid check digit"
    return eleven + str(check)


# --- IIN / BIN ---------------------------------------------------------------


@pytest.mark.parametrize(
    "eleven",
    [
        "90010130000",  # born 1 Jan 1990, male, 20th century
        "85122540000",  # born 25 Dec 1985, female
        "03061550000",  # born 15 Jun 2003, male, 21st century
        "04084000123",  # BIN shape: registered Aug 2004, legal entity
    ],
)
def test_iin_with_correct_check_digit_is_valid(eleven: str) -> None:
    value = with_check_digit(eleven)
    assert iin_is_valid(value)
    assert iin_problem(value) is None


@pytest.mark.parametrize("value", ["900101300007", "851225400009", "030615500001"])
def test_known_valid_iins_pass(value: str) -> None:
    assert iin_is_valid(value)


def test_bin_uses_the_same_rule() -> None:
    value = with_check_digit("04084000123")
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)
    assert bin_is_valid(value)
    assert not bin_is_valid(wrong)


def test_every_wrong_check_digit_is_a_checksum_problem() -> None:
    value = with_check_digit("90010130000")
    for digit in "0123456789":
        candidate = value[:-1] + digit
        expected = None if candidate == value else "checksum"
        assert iin_problem(candidate) == expected


def test_second_weights_are_used_when_first_pass_gives_ten() -> None:
    eleven = "03061550021"
    assert weighted(eleven, FIRST) == 10
    assert weighted(eleven, SECOND) == 1
    assert iin_is_valid("030615500211")
    # The naive "10 mod 10 = 0" digit is wrong.
    assert iin_problem("030615500210") == "checksum"


@pytest.mark.parametrize("eleven", ["03061550020", "90010130080"])
def test_number_whose_both_passes_give_ten_is_never_valid(eleven: str) -> None:
    assert weighted(eleven, FIRST) == 10
    assert weighted(eleven, SECOND) == 10
    for digit in "0123456789":
        assert iin_problem(eleven + digit) == "checksum"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "length"),
        ("90010130000", "length"),
        ("9001013000070", "length"),
        ("90010130000O", "format"),
        ("9001 0130 0007", "format"),
        (" 900101300007", "format"),
        ("900101-300007", "format"),
        ("９００１０１３０００７", "format"),  # full-width digits
        ("٩٠٠١٠١٣٠٠٠٠٧", "format"),  # Arabic-Indic digits
        ("abc", "format"),
    ],
)
def test_malformed_iin_reports_the_problem(value: str, problem: str) -> None:
    assert iin_problem(value) == problem
    assert not iin_is_valid(value)


# --- registration numbers ----------------------------------------------------


def test_registration_number_is_prefix_year_and_eight_digits() -> None:
    assert format_registration_number("RC", 2026, 742) == "RC-2026-00000742"


def test_registration_number_prefix_is_upper_cased() -> None:
    assert format_registration_number("rc", 2026, 1) == "RC-2026-00000001"


def test_cyrillic_prefix_round_trips() -> None:
    number = format_registration_number("ЖТ", 2026, 742)
    assert number == "ЖТ-2026-00000742"
    assert parse_registration_number("жт-2026-00000742") == ("ЖТ", 2026, 742)


@pytest.mark.parametrize(
    ("prefix", "year", "seq"),
    [
        ("", 2026, 1),
        ("R-C", 2026, 1),
        ("RC1", 2026, 1),
        ("ABCDEFGHIJK", 2026, 1),
        ("RC", 999, 1),
        ("RC", 10000, 1),
        ("RC", 2026, 0),
        ("RC", 2026, 100_000_000),
    ],
)
def test_registration_number_out_of_range_is_refused(prefix: str, year: int, seq: int) -> None:
    with pytest.raises(ValueError, match=r"prefix|year|sequence"):
        format_registration_number(prefix, year, seq)


def test_parse_returns_parts() -> None:
    assert parse_registration_number("RC-2026-00000742") == ("RC", 2026, 742)


def test_parse_accepts_lowercase_prefix() -> None:
    assert parse_registration_number("rc-2026-00000001") == ("RC", 2026, 1)


def test_parse_ignores_surrounding_whitespace() -> None:
    assert parse_registration_number("  RC-2026-00000742\n\t") == ("RC", 2026, 742)


def test_normalize_returns_the_canonical_number() -> None:
    assert normalize_registration_number(" rc-2026-00000742 ") == "RC-2026-00000742"
    assert normalize_registration_number("nonsense") is None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "RC-2026-",
        "RC-2026",
        "-2026-00000001",
        "RC--00000001",
        "RC-26-00000742",
        "RC-2026-0000742",
        "RC-2026-000000742",
        "RC-2026-00000000",
        "RC-0999-00000001",
        "RC 2026 00000742",
        "RC-2026-00000742x",
        "RC-2026-00000742\x00",
        "RC-٢٠٢٦-00000742",
        "RC-2026-０００００７４２",
        "R_C-2026-00000742",
        "'; drop table appeals; --",
        "<script>alert(1)</script>",
        "\udc80\ud800",
        "🙂-2026-00000001",
        "x" * 10_000,
        "RC-2026-00000742" * 1_000,
        " " * 10_000 + "RC-2026-00000742",
    ],
)
def test_parse_returns_none_for_garbage(garbage: str) -> None:
    assert parse_registration_number(garbage) is None
    assert normalize_registration_number(garbage) is None


def test_parse_never_raises_on_arbitrary_unicode() -> None:
    for code_point in range(0, 0x3000, 7):
        text = f"{chr(code_point)}C-2026-00000001{chr(code_point)}"
        parse_registration_number(text)


def test_format_and_parse_round_trip() -> None:
    for seq in (1, 9, 742, 12_345_678, 99_999_999):
        number = format_registration_number("RC", 2026, seq)
        assert parse_registration_number(number) == ("RC", 2026, seq)


# --- access codes ------------------------------------------------------------


def test_access_code_is_two_groups_of_five() -> None:
    code = generate_access_code()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)


def test_access_code_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1IL") & set(ACCESS_CODE_ALPHABET)
    for _ in range(200):
        assert set(generate_access_code().replace("-", "")) <= set(ACCESS_CODE_ALPHABET)


def test_access_codes_do_not_repeat() -> None:
    codes = {generate_access_code() for _ in range(1000)}
    assert len(codes) == 1000


@pytest.mark.parametrize(
    "typed",
    ["abcde-fghjk", "ABCDE FGHJK", "  abcdefghjk ", "ab cd-ef gh-jk", "ABCDE–FGHJK"],
)
def test_access_code_comparison_is_forgiving(typed: str) -> None:
    assert normalize_access_code(typed) == "ABCDEFGHJK"


def test_generated_code_normalizes_to_ten_characters() -> None:
    code = generate_access_code()
    normal = normalize_access_code(code)
    assert len(normal) == 10
    assert normalize_access_code(normal) == normal
