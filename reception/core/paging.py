"""Paging, one way for every list: the parameters, the page sizes, the page, the cursor.

Every list of the product (the official's queue and the JSON API's list of it, the
administration lists, the security events, the monitoring lists, the published answers of
/stats, Open311's list of requests) is cut into pages here:

- **One parser.** `page` is read by the input layer: on pages anything unusable is the first
  page and anything too large the last one (`parse_page`); an API may ask for the strict
  reading, which refuses instead (`parse_page(..., strict=True)`). A page size typed by a
  client (`page_size` of Open311) is bounded by its list's `Limit`.
- **One limit policy.** The default and the largest page of each list are declared once,
  below (`QUEUE`, `ADMIN`, ...).
- **Counts that do not count the world.** A list counts its rows up to `COUNT_CAP` only and
  says "more than 10,000" past it; its numbered pages stop there, so no OFFSET ever reaches
  deeper than the cap.
- **Keyset (seek) paging** for the long lists ordered by an indexed key: a page ends with an
  opaque cursor (`after`) that says where the next page starts. Walking a list by cursor
  returns every row that was there exactly once, whatever is added meanwhile, and costs the
  same on the millionth row as on the first.

The cursor is not signed: it only says where to start reading a list that is filtered, and
checked for who may see it, on every request, so a made-up cursor shows nothing that paging
would not. It is read as any other input: anything but a cursor this module wrote (garbage,
huge numbers, digits of other scripts, dates out of range) is refused with InputError (400).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from reception.core import inputs
from reception.core.i18n import lazy_gettext as _l

# Counting stops here: past it a list says "more than 10,000" and its pages are not numbered
# to the end (no OFFSET deep into the archive, no count of the world).
COUNT_CAP = 10_000

# The escape character of every LIKE pattern built by `contains`.
LIKE_ESCAPE = "\\"

BAD_CURSOR = _l(
    "This cursor is not valid: follow the next link of the previous page, "
    "or start again from the first page."
)
DEEP_PAGE = _l(
    "Numbered pages reach only the first 10,000 rows; follow the next link "
    "(the after cursor) past them."
)
MAX_CURSOR_LENGTH = 200
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,200}")  # MAX_CURSOR_LENGTH
_CURSOR_VERSION = "1"
_INT = re.compile(r"[0-9]{1,10}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?")


# --- The limit policy -----------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """How many rows a page of one list holds: `default`, at most `maximum`. `setting`
    names a configuration value that replaces the default (still bounded)."""

    default: int
    maximum: int
    setting: str | None = None

    def per_page(self, config: Mapping | None = None, requested: int | None = None) -> int:
        size = self.default
        if self.setting and config is not None and config.get(self.setting) is not None:
            size = int(config[self.setting])
        if requested is not None:
            size = requested
        return max(1, min(size, self.maximum))


# The official's queue, on the page and in the JSON API (REVIEW_PAGE_SIZE sets its size).
QUEUE = Limit(default=25, maximum=200, setting="REVIEW_PAGE_SIZE")
# The administration lists: users, the audit log, the security events.
ADMIN = Limit(default=50, maximum=50)
# The published answers on the public statistics page.
PUBLISHED_ANSWERS = Limit(default=10, maximum=10)
# Open311's list of requests: `page_size` may ask for up to 200.
OPEN311 = Limit(default=50, maximum=200)
# The monitoring list of overdue appeals: one page, the most urgent first.
OVERDUE = Limit(default=500, maximum=500)


# --- The parser -----------------------------------------------------------------------


def parse_page(value: object, *, strict: bool = False, field: str = "page", message=None) -> int:
    """A page number from 1. Lenient (pages): anything unusable is 1, anything too large
    the largest (lists then show their own last page). Strict (APIs): refused instead."""
    if not strict:
        return inputs.parse_page(value)
    return inputs.parse_int(
        value, low=1, high=inputs.MAX_PAGE, default=1, field=field, message=message
    )


def parse_per_page(value: object, limit: Limit, *, field: str = "page_size", message=None) -> int:
    """A page size a client asked for, from 1 to the list's maximum; empty is the default."""
    requested = inputs.parse_int(value, low=1, high=limit.maximum, field=field, message=message)
    return limit.per_page(requested=requested)


# --- LIKE -----------------------------------------------------------------------------


def contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally; use it with
    `escape=LIKE_ESCAPE`."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


# --- Keys and cursors -----------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One column of a list's order: its kind ("int", "date", "moment") says how its value
    travels in a cursor."""

    column: Any
    kind: str
    descending: bool = False

    def order(self):
        return self.column.desc() if self.descending else self.column.asc()

    def value_of(self, row) -> Any:
        return getattr(row, self.column.key)

    def write(self, value) -> str:
        if self.kind == "int":
            return str(int(value))
        if self.kind == "date":
            return value.isoformat()
        if value.tzinfo is None:  # stored as UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None).isoformat()

    def read(self, raw: str) -> Any:
        if self.kind == "int":
            if not _INT.fullmatch(raw):
                raise ValueError(raw)
            return inputs.parse_int(raw, low=0)
        if self.kind == "date":
            if not _DAY.fullmatch(raw):
                raise ValueError(raw)
            return inputs.parse_date(raw)
        if not _MOMENT.fullmatch(raw):
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw).replace(tzinfo=UTC)
        inputs.parse_date(moment.date())
        return moment


@dataclass(frozen=True)
class Keyset:
    """An order on key columns, none of them NULL, whose last one is unique (the id), over
    a query that gives one row per key (no join that repeats rows), with the cursor that
    seeks past a row of it. An index on the same columns makes every page one index seek."""

    keys: tuple[Key, ...]

    def order_by(self) -> list:
        return [key.order() for key in self.keys]

    def cursor(self, row) -> str:
        """The opaque cursor of the page that starts after `row`."""
        parts = [_CURSOR_VERSION, *(key.write(key.value_of(row)) for key in self.keys)]
        payload = "|".join(parts).encode("ascii")
        return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")

    def read_cursor(self, value: object, *, field: str = "after") -> tuple | None:
        """The key values a cursor holds; empty is None (the first page). Anything this
        keyset did not write is refused (InputError, 400)."""
        raw = "" if value is None else str(value).strip()
        if not raw:
            return None
        try:
            if not _CURSOR.fullmatch(raw):
                raise ValueError(raw)
            payload = base64.b64decode(
                raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True
            ).decode("ascii")
            version, *parts = payload.split("|")
            if version != _CURSOR_VERSION or len(parts) != len(self.keys):
                raise ValueError(raw)
            values = tuple(key.read(part) for key, part in zip(self.keys, parts, strict=True))
        except (ValueError, binascii.Error, inputs.InputError):
            raise inputs.InputError(BAD_CURSOR, field, 400) from None
        return values

    def seek(self, query: Select, values: Sequence) -> Select:
        """Only the rows after the one whose keys are `values`, in this order.

        Written as `k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND k2 > v2) ...)`: the first
        condition is a range on the index's leading column on every database, the rest
        works for mixed directions, where a row comparison would not."""
        first = self.keys[0]
        bound = first.column <= values[0] if first.descending else first.column >= values[0]
        branches = []
        for n, key in enumerate(self.keys):
            equal = [k.column == v for k, v in zip(self.keys[:n], values[:n], strict=True)]
            past = key.column < values[n] if key.descending else key.column > values[n]
            branches.append(and_(*equal, past))
        return query.where(bound, or_(*branches))


# --- Counting and the page ------------------------------------------------------------


def capped_count(session, query: Select, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """The number of rows of `query`, counted up to `cap` only: (count, more than cap)."""
    found = session.scalar(
        select(func.count()).select_from(query.order_by(None).limit(cap + 1).subquery())
    )
    return min(found, cap), found > cap


@dataclass
class Page:
    """One page of a list.

    `total` is counted up to COUNT_CAP (`more` says there are more); `page` is the page
    number shown (None when the page was reached by a cursor); `pages` is how many
    numbered pages there are (never past the cap); `after` is the cursor of the next page
    when the list is paged by a keyset and has one; `search` the parsed search, if any."""

    items: list
    total: int
    page: int | None
    pages: int
    more: bool = False
    after: str | None = None
    search: Any = None


def check_depth(page: int, per_page: int, *, field: str = "page") -> None:
    """Refuse a numbered page that starts past the cap (for lists that are not counted)."""
    if (page - 1) * per_page >= COUNT_CAP:
        raise inputs.InputError(DEEP_PAGE, field, 400)


# From this many rows skipped, a numbered page is found by its keys first (_row_before).
LATE_LOOKUP_FROM = 500


def _row_before(session, query: Select, keyset: Keyset, skipped: int) -> tuple | None:
    """The keys of the last row before a deep numbered page, read by the key columns alone:
    an index holding them (and the filter) skips the rows without reading a whole row of
    the table for each, and the page is then a seek past that row."""
    keys = query.with_only_columns(*(key.column for key in keyset.keys), maintain_column_froms=True)
    found = session.execute(keys.order_by(*keyset.order_by()).offset(skipped - 1).limit(1)).first()
    return tuple(found) if found is not None else None


def paginate(
    session,
    query: Select,
    *,
    page: int,
    per_page: int,
    keyset: Keyset | None = None,
    after: Sequence | None = None,
    order_by: Sequence | None = None,
    counted: tuple[int, bool] | None = None,
    count: bool = True,
    unique: bool = False,
    run: Callable[[Select], Iterable] | None = None,
) -> Page:
    """A page of `query` (not yet ordered when `keyset` is given: the keyset orders it).

    With `after` (key values read from a cursor) the page starts past that row; otherwise
    it is the numbered `page`, moved to the last page when past it. `counted` is a count
    the caller already made (capped_count); with `count=False` nothing is counted and a
    numbered page past the cap is refused (check_depth). `order_by` orders an offset-paged
    list without a keyset, or goes before the keyset's order (a ranking: then no cursor is
    given). `run` executes the final statement (default: the session's ORM objects)."""
    if counted is None and count:
        counted = capped_count(session, query)
    if counted is None:
        total, more, pages = 0, False, max(page, 1)
    else:
        total, more = counted
        pages = max(1, math.ceil(total / per_page))
    if keyset is not None and after is not None:
        ordered = keyset.seek(query, after).order_by(*keyset.order_by())
        number = None
    else:
        lead = list(order_by or [])
        ordered = query.order_by(*lead, *(keyset.order_by() if keyset else []))
        number = min(max(page, 1), pages)
        check_depth(number, per_page)  # the last counted page always starts before the cap
        skipped = (number - 1) * per_page
        before = (
            _row_before(session, query, keyset, skipped)
            if keyset is not None and not lead and skipped >= LATE_LOOKUP_FROM
            else None
        )
        if before is not None:
            ordered = keyset.seek(query, before).order_by(*keyset.order_by())
        else:
            ordered = ordered.offset(skipped)
    fetch = per_page + 1 if keyset is not None else per_page
    ordered = ordered.limit(fetch)
    if run is not None:
        items = list(run(ordered))
    else:
        result = session.scalars(ordered)
        items = list(result.unique() if unique else result)
    cursor = None
    if keyset is not None and len(items) > per_page:
        items = items[:per_page]
        if after is not None or not order_by:
            cursor = keyset.cursor(items[-1])
    return Page(items=items, total=total, page=number, pages=pages, more=more, after=cursor)
