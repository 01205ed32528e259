"""The input layer on its own, driven with the alphabets that used to break pages."""

from __future__ import annotations

import contextlib
import json
import string
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reception.core import inputs
from reception.core.inputs import InputError

# Digits Python's str.isdigit() or int() accept but no form should: superscripts,
# Arabic-Indic, Devanagari, full-width, mathematical digits.
UNICODE_DIGITS = "²³¹⁰⁹₀₉٠١٢٣٤٥٦٧٨٩۳०१२०１２３９𝟎𝟗"
NUMBERISH = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet="0123456789" + UNICODE_DIGITS + " -+_.,e\t\n\x00", max_size=14),
    st.sampled_from(["²", "٣", "１２", "1_000", "1e3", "0x10", " 7 ", "-0", "\u2212" + "1", ""]),
)
# Lone surrogates among ordinary characters (st.text() leaves them out by default).
WITH_SURROGATES = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
        st.sampled_from("\x00\r\n\t\x0b\x7f"),
    ),
    max_size=60,
)
ISO_DATES = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "2026-1-1"]),
    st.text(alphabet=string.digits + UNICODE_DIGITS + "-T:Z+ ", max_size=25),
)
PROPERTIES = settings(max_examples=200, deadline=None)


@PROPERTIES
@given(NUMBERISH, st.integers(min_value=-5, max_value=5), st.integers(0, 10**40))
@example("²", 0, 10)
@example(str(10**30), 0, 10**40)
def test_numbers_are_ascii_bounded_or_refused(raw, low, high):
    try:
        number = inputs.parse_int(raw, low=low, high=high)
    except InputError as error:
        assert str(error.message)
        return
    if number is None:
        assert raw.strip() == ""
        return
    assert low <= number <= min(high, inputs.DB_INT_MAX)
    assert raw.strip().lstrip("-").isascii()
    assert number == int(raw.strip())


@pytest.mark.parametrize("raw", ["²", "٣", "１２", "𝟗", "1²", "٣٣"])
def test_unicode_digits_are_refused(raw):
    with pytest.raises(InputError):
        inputs.parse_int(raw)
    assert inputs.parse_id(raw) is None
    assert inputs.parse_page(raw) == 1


def test_database_range():
    assert inputs.parse_id(str(2**31 - 1)) == 2**31 - 1
    assert inputs.parse_id(str(2**31)) is None
    assert inputs.parse_id(str(10**30)) is None
    assert inputs.parse_id("0") is None and inputs.parse_id("-3") is None
    with pytest.raises(InputError):
        inputs.parse_int(str(10**30), high=10**40)


@PROPERTIES
@given(NUMBERISH, st.integers(1, 10**6))
def test_pages_always_give_a_page(raw, maximum):
    page = inputs.parse_page(raw, maximum=maximum)
    assert 1 <= page <= maximum


def test_pages_clamp():
    assert inputs.parse_page("99999999999999999999", maximum=50) == 50
    assert inputs.parse_page("0") == 1
    assert inputs.parse_page("-4") == 1
    assert inputs.parse_page("7") == 7


@PROPERTIES
@given(ISO_DATES)
@example("0001-01-01")
@example("9999-12-31")
def test_dates_stay_where_arithmetic_is_safe(raw):
    try:
        day = inputs.parse_date(raw)
    except InputError as error:
        assert str(error.message)
        return
    if day is None:
        assert not raw.strip()
        return
    assert inputs.MIN_DATE <= day <= inputs.MAX_DATE
    # What the pages do with a date: go back a quarter, forward a year of days.
    assert day - timedelta(days=366) < day + timedelta(days=3 * 366)


@pytest.mark.parametrize("raw", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_calendar_edges_are_refused_with_a_message(app, raw):
    with app.test_request_context(), pytest.raises(InputError) as refused:
        inputs.parse_date(raw)
    assert "2000-01-01" in str(refused.value.message)


@PROPERTIES
@given(ISO_DATES.map(lambda d: d + "T10:00:00Z") | WITH_SURROGATES)
@example("0001-01-01T00:00:00Z")
@example("9999-12-31T23:59:59-12:00")
def test_moments(raw):
    from datetime import UTC

    try:
        moment = inputs.parse_moment(raw, UTC)
    except InputError as error:
        assert error.status == 400
        return
    assert moment.tzinfo is not None
    assert inputs.MIN_DATE <= moment.date() <= inputs.MAX_DATE


@PROPERTIES
@given(WITH_SURROGATES, st.integers(1, 100), st.booleans())
def test_text_is_storable(raw, limit, one_line):
    text = inputs.clean_text(raw, limit, one_line=one_line)
    assert len(text) <= limit
    assert "\x00" not in text and "\r" not in text
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)
    text.encode("utf-8")  # never raises
    if one_line:
        assert "\n" not in text


@PROPERTIES
@given(
    st.one_of(
        WITH_SURROGATES,
        st.sampled_from(
            [
                "/\r\nSet-Cookie: x=1",
                "/%0d%0aX",
                "/\\evil.example",
                "/\\\\evil.example",
                "//evil.example",
                "/\t/evil.example",
                "https://evil.example/",
                "javascript:alert(1)",
                "/ok/path?x=1",
                "/ /evil",
                "\x00/",
            ]
        ),
        st.text(alphabet="/\\:.\r\n\t ex%0a", max_size=20),
    )
)
def test_next_targets_stay_on_this_site(target):
    result = inputs.safe_next(target, "/default")
    assert result == "/default" or (
        result.startswith("/")
        and not result.startswith("//")
        and "\\" not in result
        and not any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in result)
    )


def test_next_keeps_ordinary_paths():
    assert inputs.safe_next("/review/?status=all&page=2", "/") == "/review/?status=all&page=2"
    assert inputs.safe_next("/\r\n", "/") == "/"


@PROPERTIES
@given(st.one_of(st.none(), WITH_SURROGATES, st.sampled_from(["on", "1", "TRUE", "off", "maybe"])))
def test_flags(raw):
    assert inputs.parse_bool(raw) in (True, False)
    try:
        inputs.parse_bool(raw, strict=True)
    except InputError:
        assert (raw or "").strip().lower() not in inputs.TRUE_WORDS | inputs.FALSE_WORDS


@PROPERTIES
@given(WITH_SURROGATES)
def test_codes_come_from_the_set(raw):
    with contextlib.suppress(InputError):
        assert inputs.parse_code(raw, ("a", "b")) in ("", "a", "b")


# --- JSON ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WITH_SURROGATES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@PROPERTIES
@given(json_values)
def test_json_bodies_are_objects_or_refused(value):
    body = json.dumps(value).encode()
    try:
        payload = inputs.parse_json_object(body)
    except InputError as error:
        assert error.status in (400, 413, 422)
        return
    assert isinstance(payload, dict)
    json.dumps(payload).encode("utf-8")
    json.dumps(payload, ensure_ascii=False).encode("utf-8")  # no lone surrogate anywhere


@pytest.mark.parametrize(
    "body, status",
    [
        (b"[" * 100_000 + b"]" * 100_000, 413),
        (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, 422),
        (b'{"a":' * 20 + b"1" + b"}" * 20, 422),
        (b'{"text": "\\ud800"}', 422),
        (b'{"\\udfff": 1}', 422),
        (b"\xff\xfe", 400),
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'"text"', 400),
        (b"{" * 3 + b"}" * 3, 400),
    ],
)
def test_json_edge_bodies(app, body, status):
    with app.test_request_context(), pytest.raises(InputError) as refused:
        inputs.parse_json_object(body)
    assert refused.value.status == status
    assert str(refused.value.message)


def test_a_string_with_brackets_does_not_count_as_depth():
    body = json.dumps({"text": "[[[[[[[[[[[[[[[[{{{{{{{{{{{{"}).encode()
    assert inputs.parse_json_object(body) == {"text": "[[[[[[[[[[[[[[[[{{{{{{{{{{{{"}
