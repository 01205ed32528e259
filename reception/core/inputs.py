"""One input layer: every number, date, flag, code, text, `next` target and JSON body that
comes from the address bar, a form or an API call is read here.

Each parser either returns a value the rest of the code can use without a second thought
(an int a database column holds, a date whose arithmetic cannot overflow, text without NUL
or lone surrogates) or raises InputError with a message in the reader's language. Nothing
here lets Python's own leniency through: `int()` accepts "٣" and " 1_000 ", `str.isdigit()`
accepts "²" (which `int()` then refuses), `date.fromisoformat()` accepts year 1, whose
arithmetic overflows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

from reception.core.i18n import lazy_gettext as _l

# The integer columns of every database we run on (PostgreSQL's INTEGER, SQLite's too).
DB_INT_MAX = 2**31 - 1
# Page numbers: larger ones are shown as the last page.
MAX_PAGE = 100_000
# Dates people may type: wide enough for any appeal, narrow enough that adding a year of
# working days or subtracting a quarter never leaves what `date` can hold.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
# JSON bodies of the APIs.
MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8
MAX_NEXT_LENGTH = 2_000

_ASCII_INT = re.compile(r"-?[0-9]{1,30}")
# Lone surrogates cannot be encoded (PostgreSQL, e-mail, XML all refuse them); NUL and the
# other C0 controls but tab and line breaks are never typed on purpose.
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEXT_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
TRUE_WORDS = frozenset({"1", "on", "true", "yes", "y"})
FALSE_WORDS = frozenset({"", "0", "off", "false", "no", "n"})

DATE_FORMAT = _l("Enter a date like 2026-11-23.")
MOMENT_FORMAT = _l("Enter a date and time like 2026-11-23T09:00:00+05:00.")
UNKNOWN_CHOICE = _l("Choose one of the offered values.")
NOT_A_FLAG = _l("Give yes or no.")


class InputError(ValueError):
    """Input that cannot be used; `message` is for the reader, `status` for the answer."""

    def __init__(self, message, field: str | None = None, status: int = 422):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status


def _raw(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- Numbers --------------------------------------------------------------------------


def parse_int(
    value: object,
    *,
    low: int = 0,
    high: int = DB_INT_MAX,
    default: int | None = None,
    field: str | None = None,
    message=None,
) -> int | None:
    """A whole number in ASCII digits from `low` to `high`; empty gives `default`.

    `high` never exceeds what a database integer holds, whatever the caller asks.
    """
    if isinstance(value, bool):
        raise InputError(_number_message(message, low, high), field)
    if isinstance(value, int):
        number = value
    else:
        raw = _raw(value)
        if not raw:
            return default
        if not _ASCII_INT.fullmatch(raw):
            raise InputError(_number_message(message, low, high), field)
        number = int(raw)
    high = min(high, DB_INT_MAX)
    if not low <= number <= high:
        raise InputError(_number_message(message, low, high), field)
    return number


def _number_message(message, low: int, high: int):
    return message or _l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)


def parse_id(value: object) -> int | None:
    """A row id from an address or a form, or None for anything no row could have."""
    try:
        return parse_int(value, low=1)
    except InputError:
        return None


def parse_page(value: object, maximum: int = MAX_PAGE) -> int:
    """A page number: anything unusable is the first page, anything too large the last one
    the caller allows (lists then show their own last page)."""
    raw = _raw(value)
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > 9 or int(raw) > maximum:
        return maximum
    return max(1, int(raw))


# --- Dates ----------------------------------------------------------------------------


def parse_date(
    value: object,
    *,
    default: date | None = None,
    first: date = MIN_DATE,
    last: date = MAX_DATE,
    field: str | None = None,
) -> date | None:
    """An ISO date (2026-11-23) from `first` to `last`; empty gives `default`."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        raw = _raw(value)
        if not raw:
            return default
        if not (len(raw) == 10 and raw.isascii()):
            raise InputError(DATE_FORMAT, field)
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise InputError(DATE_FORMAT, field) from None
    if not first <= day <= last:
        raise InputError(
            _l("Enter a date from %(first)s to %(last)s.", first=first, last=last), field
        )
    return day


def parse_moment(value: object, zone: tzinfo, *, field: str | None = None) -> datetime:
    """An ISO 8601 date-time; without an offset it is read in `zone`. Its date must lie in
    the range of parse_date, so that windows around it can be computed."""
    raw = _raw(value)
    # An unencoded "+" in a query string arrives as a space: take it back.
    raw = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw)
    if not raw or not raw.isascii() or len(raw) > 40:
        raise InputError(MOMENT_FORMAT, field, 400)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(MOMENT_FORMAT, field, 400) from None
    try:
        parse_date(moment.date(), field=field)
    except InputError as error:
        raise InputError(error.message, field, 400) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only (werkzeug's `\\d` also matches "٣") and
    no larger than a database integer, so that an id no row could have is "not found"
    instead of an overflow in the database driver."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, DB_INT_MAX if max is None else max, signed)


# --- Flags, codes, text ---------------------------------------------------------------


def parse_bool(value: object, *, strict: bool = False, field: str | None = None) -> bool:
    """A checkbox or a flag: "1", "on", "true", "yes" are yes. Anything else is no, or
    refused when `strict`."""
    if isinstance(value, bool):
        return value
    raw = _raw(value).lower()
    if raw in TRUE_WORDS:
        return True
    if strict and raw not in FALSE_WORDS:
        raise InputError(NOT_A_FLAG, field)
    return False


def parse_code(
    value: object,
    allowed: Collection[str],
    *,
    default: str = "",
    field: str | None = None,
    message=None,
) -> str:
    """One code of a fixed set; empty gives `default`, anything else is refused."""
    raw = _raw(value)
    if not raw:
        return default
    if raw in allowed:
        return raw
    raise InputError(message or UNKNOWN_CHOICE, field)


def clean_text(value: object, max_length: int | None = None, *, one_line: bool = False) -> str:
    """Text as typed, made safe to store and show: line breaks as "\\n", no NUL, no other
    control characters but tab, no lone surrogates; trimmed, and cut to `max_length`.
    `one_line` also folds every run of white space into one space (search boxes, filters)."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATES.sub("", _CONTROL.sub("", text))
    text = " ".join(text.split()) if one_line else text.strip()
    return text[:max_length] if max_length is not None else text


def arg(args: Mapping, name: str, limit: int = 64) -> str:
    """A filter from the address bar: one line of clean text, cut to `limit`."""
    return clean_text(args.get(name), limit, one_line=True)


def known_args(args: Mapping, names: Collection[str], limit: int = 200) -> dict[str, str]:
    """Only the named parameters of a query, cleaned, and only those with a value: what
    links built from the address bar may pass on to url_for (never "_external",
    "_scheme", "endpoint" or anything else someone adds)."""
    kept = {}
    for name in names:
        value = clean_text(args.get(name), limit, one_line=True)
        if value:
            kept[name] = value
    return kept


# --- Where to go next -----------------------------------------------------------------


def safe_next(target: object, default: str) -> str:
    """Follow `next` only to a path on this site: it starts with one "/", and holds no
    scheme, host, backslash, white space or control character (a browser reads "/\\\\host"
    and "/\\t/host" as another site; a line break would split the Location header)."""
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    if _NEXT_FORBIDDEN.search(target) or _SURROGATES.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# --- JSON bodies ----------------------------------------------------------------------


@dataclass(frozen=True)
class JsonLimits:
    max_bytes: int = MAX_JSON_BYTES
    max_depth: int = MAX_JSON_DEPTH


def _depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, read without parsing it (the
    parser itself would recurse, and fail, on thousands of brackets)."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return bool(_SURROGATES.search(value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def parse_json_object(body: bytes, limits: JsonLimits = JsonLimits()) -> dict:
    """A JSON object from a request body: at most `max_bytes`, nested at most `max_depth`
    deep, UTF-8, with no lone surrogate anywhere (written as "\\ud800" they pass the
    parser but nothing downstream can store them). Refusals: 413 too large, 400 not
    JSON or not an object, 422 an object nothing can use."""
    if len(body) > limits.max_bytes:
        raise InputError(
            _l("The JSON body is too large: at most %(n)s bytes.", n=limits.max_bytes),
            status=413,
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(_l("The body is not valid JSON."), status=400) from None
    if _depth(text) > limits.max_depth:
        raise InputError(
            _l("The JSON body is nested too deeply: at most %(n)s levels.", n=limits.max_depth),
            status=422,
        )
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError(_l("The body is not valid JSON."), status=400) from None
    if not isinstance(payload, dict):
        raise InputError(_l("Send a JSON object."), status=400)
    if _has_surrogate(payload):
        raise InputError(
            _l("The JSON body holds characters that are not valid Unicode."), status=422
        )
    return payload


def request_json_object(request, limits: JsonLimits = JsonLimits()) -> dict:
    """The JSON object of a Flask request, checked as parse_json_object does; a body that
    says it is larger than the limit is not read at all."""
    length = request.content_length
    if length is not None and length > limits.max_bytes:
        raise InputError(
            _l("The JSON body is too large: at most %(n)s bytes.", n=limits.max_bytes),
            status=413,
        )
    # Cached: the Idempotency-Key fingerprint may have read the body already.
    return parse_json_object(request.get_data(cache=True), limits)
