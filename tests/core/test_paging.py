"""Paging in one place: the parser, the page sizes, the page, the keyset and its cursor, and
the lists that use them (walked by cursor while rows are added, and never past the cap)."""

import ast
import base64
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, Integer, column, literal, select, union_all

from reception.accounts.apikeys import create_api_key
from reception.api.open311 import LIST_ORDER
from reception.appeals import search
from reception.core import inputs, paging
from reception.extensions import db
from reception.review.queries import QUEUE_ORDER
from tests.factories import PASSWORD, make_appeal, make_staff, make_user

ROOT = Path(__file__).resolve().parents[2]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


# --- The parser and the limit policy --------------------------------------------------


@given(st.one_of(st.none(), st.integers(-(10**12), 10**12).map(str), st.text(max_size=12)))
@example("²")
@example("٣")
@example("9" * 40)
@example(" 3 ")
def test_a_lenient_page_is_always_a_usable_number(raw):
    page = paging.parse_page(raw)
    assert 1 <= page <= inputs.MAX_PAGE
    if raw is not None and raw.strip().isascii() and raw.strip().isdigit():
        assert page == max(1, min(int(raw.strip()), inputs.MAX_PAGE))


@given(st.one_of(st.integers(-(10**12), 10**12).map(str), st.text(max_size=12)))
@example("²")
@example("0")
@example(str(inputs.MAX_PAGE + 1))
def test_a_strict_page_is_a_number_in_range_or_refused(raw):
    try:
        page = paging.parse_page(raw, strict=True)
    except inputs.InputError as error:
        assert error.field == "page"
    else:
        assert 1 <= page <= inputs.MAX_PAGE
        assert page == (int(raw.strip()) if raw.strip() else 1)


def test_the_limit_policy_bounds_every_size():
    assert paging.QUEUE.per_page() == 25
    assert paging.QUEUE.per_page({"REVIEW_PAGE_SIZE": 2}) == 2
    assert paging.QUEUE.per_page({"REVIEW_PAGE_SIZE": 10**6}) == paging.QUEUE.maximum
    assert paging.OPEN311.per_page() == 50
    assert paging.parse_per_page("", paging.OPEN311) == 50
    assert paging.parse_per_page("200", paging.OPEN311) == 200
    for refused in ("201", "0", "-1", "٣", "1e3", "9" * 40):
        with pytest.raises(inputs.InputError):
            paging.parse_per_page(refused, paging.OPEN311)


def test_pages_past_the_cap_are_refused_where_nothing_is_counted():
    paging.check_depth(paging.COUNT_CAP // 50, 50)  # starts at row 9,951
    with pytest.raises(inputs.InputError) as refused:
        paging.check_depth(paging.COUNT_CAP // 50 + 1, 50)
    assert refused.value.status == 400


def test_search_keeps_the_cap_it_always_named():
    assert search.COUNT_CAP == paging.COUNT_CAP == 10_000
    assert search.capped_count is paging.capped_count


# --- LIKE -----------------------------------------------------------------------------


@FAST
@given(st.text("ab%_\\", max_size=6), st.text("ab%_\\", min_size=1, max_size=4))
@example("a%b", "%")
@example("ab", "_")
@example("a\\b", "\\")
def test_a_like_pattern_matches_the_text_literally(haystack, needle):
    matched = db.session.scalar(
        select(literal(haystack).like(paging.contains(needle), escape=paging.LIKE_ESCAPE))
    )
    assert bool(matched) == (needle in haystack)


# --- Keysets and cursors --------------------------------------------------------------


MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(UTC)
)


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, inputs.DB_INT_MAX))
def test_a_queue_cursor_reads_back_what_it_wrote(day, ident):
    row = type("Row", (), {"due_on": day, "id": ident})()
    cursor = QUEUE_ORDER.cursor(row)
    assert cursor.isascii() and len(cursor) <= paging.MAX_CURSOR_LENGTH
    assert QUEUE_ORDER.read_cursor(cursor) == (day, ident)


@given(MOMENTS, st.integers(0, inputs.DB_INT_MAX))
def test_an_open311_cursor_reads_back_what_it_wrote(moment, ident):
    row = type("Row", (), {"received_at": moment, "id": ident})()
    assert LIST_ORDER.read_cursor(LIST_ORDER.cursor(row)) == (moment, ident)


def _encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


FORGED = [
    "",  # no cursor: the first page
    "garbage",
    "!!!",
    "a" * 5000,
    "٣٣٣",
    "MQ",
    _encoded("1|2026-01-01|99999999999999999999"),
    _encoded("1|2026-01-01|-1"),
    _encoded("1|0001-01-01|1"),
    _encoded("1|2026-02-30|1"),
    _encoded("1|２０２６-01-01|1"),
    _encoded("1|2026-01-01|٣"),
    _encoded("2|2026-01-01|1"),
    _encoded("1|2026-01-01"),
    _encoded("1|2026-01-01|1|1"),
    _encoded("1|2026-01-01|1²"),
    "MXwyMDI2LTAxLTAxfDE=",  # padding is not part of a cursor
    "MXwyMDI2LTAxLTAxfDE\x00",
]


@given(st.one_of(st.text(max_size=60), st.sampled_from(FORGED), st.binary(max_size=40)))
def test_any_forged_cursor_is_a_clear_400_or_a_position(raw):
    raw = _encoded(raw.decode("latin-1")) if isinstance(raw, bytes) else raw
    for keyset in (QUEUE_ORDER, LIST_ORDER):
        try:
            values = keyset.read_cursor(raw)
        except inputs.InputError as error:
            assert error.status == 400 and error.field == "after"
            assert str(error.message) == str(paging.BAD_CURSOR)
        else:
            assert values is None or len(values) == 2


def test_the_forged_cursors_are_refused():
    for raw in FORGED[1:]:
        with pytest.raises(inputs.InputError):
            QUEUE_ORDER.read_cursor(raw)
    assert QUEUE_ORDER.read_cursor("") is None
    assert QUEUE_ORDER.read_cursor(_encoded("1|2026-01-01|7")) == (date(2026, 1, 1), 7)


def _rows_query(rows):
    """A small list as a query (a union of literal rows) with columns a, b, id."""
    parts = [
        select(
            literal(a, Integer).label("a"),
            literal(b, Date).label("b"),
            literal(ident, Integer).label("id"),
        )
        for ident, (a, b) in enumerate(rows, start=1)
    ]
    return union_all(*parts).subquery("t")


def _compose(*decorators):
    def apply(test):
        for decorator in reversed(decorators):
            test = decorator(test)
        return test

    return apply


# Small lists with ties, a page size, and a direction for each of the three keys.
SMALL_LISTS = _compose(
    FAST,
    given(
        rows=st.lists(
            st.tuples(st.integers(0, 3), st.dates(date(2026, 1, 1), date(2026, 1, 4))),
            min_size=1,
            max_size=25,
        ),
        per_page=st.integers(1, 7),
        descending=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    ),
)


def _keyed(rows, descending):
    """The rows as a query, a keyset on (a, b, id) in those directions, and a runner."""
    table = _rows_query(rows)
    keyset = paging.Keyset(
        (
            paging.Key(table.c.a, "int", descending[0]),
            paging.Key(table.c.b, "date", descending[1]),
            paging.Key(table.c.id, "int", descending[2]),
        )
    )

    def run(statement):
        return db.session.execute(statement).all()

    return table, keyset, run


@SMALL_LISTS
def test_walking_a_keyset_returns_every_row_once_in_order(rows, per_page, descending):
    table, keyset, run = _keyed(rows, descending)

    seen, after = [], None
    for _ in range(len(rows) + 2):
        page = paging.paginate(
            db.session,
            select(table),
            page=1,
            per_page=per_page,
            keyset=keyset,
            after=keyset.read_cursor(after) if after else None,
            run=run,
        )
        seen += [row.id for row in page.items]
        after = page.after
        if after is None:
            break

    def sort_key(ident):
        a, b = rows[ident - 1]
        signs = [-1 if d else 1 for d in descending]
        return (signs[0] * a, signs[1] * b.toordinal(), signs[2] * ident)

    assert seen == sorted(range(1, len(rows) + 1), key=sort_key)


@SMALL_LISTS
def test_a_deep_numbered_page_found_by_its_keys_is_the_offset_page(rows, per_page, descending):
    """Past LATE_LOOKUP_FROM rows a numbered page is a seek past the row before it, read by
    the keys alone: the same rows as an OFFSET, on every page, in every order."""
    table, keyset, run = _keyed(rows, descending)

    pages = -(-len(rows) // per_page)
    for number in range(1, pages + 1):
        plain = paging.paginate(
            db.session, select(table), page=number, per_page=per_page, keyset=keyset, run=run
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(paging, "LATE_LOOKUP_FROM", 1)
            deep = paging.paginate(
                db.session, select(table), page=number, per_page=per_page, keyset=keyset, run=run
            )
        assert [r.id for r in deep.items] == [r.id for r in plain.items]
        assert deep.page == plain.page == number
        assert deep.after == plain.after


def test_a_numbered_page_past_the_last_is_the_last():
    table = _rows_query([(1, date(2026, 1, 1))] * 5)
    page = paging.paginate(
        db.session, select(table.c.id), page=99, per_page=2, order_by=[column("id")]
    )
    assert (page.page, page.pages, page.total, page.more) == (3, 3, 5, False)
    assert page.items == [5]


# --- The lists ------------------------------------------------------------------------


def _key_for(user=None):
    _, secret = create_api_key(db.session, name="DMS", user=user, now=datetime.now(UTC))
    db.session.commit()
    return secret


def test_the_api_list_walks_by_cursor_while_appeals_arrive(client, app):
    app.config["REVIEW_PAGE_SIZE"] = 2
    try:
        headers = {"Authorization": f"Bearer {_key_for(make_staff(role='official'))}"}
        start = datetime(2026, 11, 17, 4, tzinfo=UTC)
        before = {make_appeal(start + timedelta(days=i % 3))[0].number for i in range(7)}
        seen: list[str] = []
        url = "/api/v1/appeals?status=all"
        first = True
        while url:
            body = client.get(url, headers=headers).get_json()
            assert body["more"] is False and body["total"] >= len(before)
            assert body["page"] == (1 if first else None)
            seen += [item["number"] for item in body["items"]]
            url, first = body["next"], False
            # Someone files an appeal while the client reads the list.
            if url:
                make_appeal(start + timedelta(days=len(seen) % 4))
        assert len(seen) == len(set(seen))
        assert before <= set(seen)
        # The page number still works as before, beside the cursor.
        second = client.get("/api/v1/appeals?status=all&page=2", headers=headers).get_json()
        assert second["page"] == 2 and len(second["items"]) == 2
    finally:
        app.config["REVIEW_PAGE_SIZE"] = 25


def test_the_api_refuses_a_forged_cursor_with_a_400(client):
    headers = {"Authorization": f"Bearer {_key_for(make_staff(role='official'))}"}
    for raw in ("garbage", "٣", _encoded("1|2026-01-01|" + "9" * 30), "x" * 1000):
        response = client.get("/api/v1/appeals", query_string={"after": raw}, headers=headers)
        assert response.status_code == 400, raw
        error = response.get_json()["error"]
        assert error["code"] == "bad_request" and error["field"] == "after"


def _open311_ids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    link = response.headers.get("Link")
    following = None
    if link:
        assert link.endswith('>; rel="next"')
        following = link[1 : link.index(">")].removeprefix("http://localhost")
    return [r["service_request_id"] for r in response.get_json()], following


def test_open311_walks_by_the_link_header_while_requests_arrive(client):
    secret = _key_for()
    now = datetime.now(UTC) - timedelta(days=2)
    before = set()
    for i in range(5):
        appeal, _ = make_appeal(now - timedelta(hours=i % 2), publish_consent="y")
        before.add(appeal.number)
    seen: list[str] = []
    url = f"/open311/v2/requests.json?page_size=2&api_key={secret}"
    while url:
        ids, url = _open311_ids(client, url)
        seen += ids
        if url:
            # The filters go on; the key does not (a header is logged in more places than
            # an address): the client adds its own.
            assert "page_size=2" in url and "api_key" not in url
            url += f"&api_key={secret}"
            make_appeal(now - timedelta(minutes=len(seen)), publish_consent="y")
    assert len(seen) == len(set(seen)) and before <= set(seen)
    # The numbered pages still work.
    ids, _ = _open311_ids(client, "/open311/v2/requests.json?page_size=2&page=2")
    assert len(ids) == 2


def test_open311_refuses_forged_cursors_and_pages_past_the_cap(client):
    for query in ("after=garbage", "after=%D9%A3", "page=101&page_size=100", "page=100000"):
        response = client.get(f"/open311/v2/requests.xml?{query}")
        assert response.status_code == 400, query
    deep = client.get("/open311/v2/requests.json?page=201").get_json()
    assert deep[0]["description"] == str(paging.DEEP_PAGE)
    # The last page inside the cap is still served.
    assert client.get("/open311/v2/requests.json?page=200").status_code == 200


def test_the_admin_lists_count_no_further_than_the_cap(client, monkeypatch):
    monkeypatch.setattr(paging.capped_count, "__defaults__", (2,))
    admin = make_user(role="admin", email="paging-admin@example.kz")
    for n in range(3):
        make_user(email=f"paging{n}@example.kz")
    for _ in range(3):
        client.post("/login", data={"email": admin.email, "password": "not the password"})
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    html = client.get("/admin/users").get_data(as_text=True)
    assert "more than 2 accounts" in html
    assert "more than 2 events" in client.get("/admin/security-events").get_data(as_text=True)


def test_the_published_answers_show_their_last_page_past_it(client):
    assert client.get("/stats?page=9999").status_code == 200


def test_no_list_pages_by_offset_outside_the_paging_module():
    """Every OFFSET is written in reception/core/paging.py, bounded by the cap."""
    found = []
    for path in (ROOT / "reception").rglob("*.py"):
        if path.name == "paging.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "offset":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_queue_goes_on_past_its_last_numbered_page_by_cursor(client, app, monkeypatch):
    monkeypatch.setattr(paging.capped_count, "__defaults__", (2,))
    monkeypatch.setitem(app.config, "REVIEW_PAGE_SIZE", 1)
    start = datetime(2026, 11, 17, 4, tzinfo=UTC)
    numbers = [make_appeal(start + timedelta(days=i))[0].number for i in range(4)]
    user = make_staff(role="official")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    html = client.get("/review/?page=2&status=all").get_data(as_text=True)
    assert "more than 2 appeals" in html and numbers[1] in html
    link = re.search(r'href="(/review/\?after=[^"]+)" rel="next"', html)
    assert link, "the last numbered page links on by cursor"
    seen = [numbers[0], numbers[1]]
    url = link.group(1).replace("&amp;", "&")
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [n for n in numbers if n in html and n not in seen]
        found = re.search(r'href="(/review/\?after=[^"]+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert "status=all" in (url or "status=all")
    assert seen == numbers
    # No numbered page is pretended to be the current one.
    assert 'aria-current="page">' not in html.split('class="pagination"')[1]


def test_a_forged_cursor_in_the_queue_shows_the_first_page_with_a_warning(client):
    make_appeal(datetime(2026, 11, 17, 4, tzinfo=UTC))
    user = make_staff(role="official")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.get("/review/", query_string={"after": "٣٣٣"})
    assert response.status_code == 200
    assert "This cursor is not valid" in response.get_data(as_text=True)
