"""Bad input of every kind gets a clear answer, never a server error."""

import pytest

from tests.factories import appeal_data

LONG = "я" * 100_000


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": ["a", "b"], "category": LONG, "region": "\x00"},
        {**appeal_data(), "subject": LONG, "text": LONG, "full_name": LONG, "address": LONG},
        {**appeal_data(), "email": "a@" + "b" * 300 + ".kz", "phone": LONG[:30]},
        {**appeal_data(), "iin": "12345678901234567890", "publish_consent": "maybe"},
        {**appeal_data(), "attachments": "not a file", "language": "<script>"},
        {**appeal_data(), "applicant_type": "robot", "authority": "'; DROP TABLE appeals;--"},
    ],
)
def test_appeal_form_never_fails_on_garbage(client, data):
    response = client.post("/appeals/new", data=data)
    assert response.status_code in (302, 400, 422)  # 400: a NUL character, refused outright


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("post", "/track", {}),
        ("post", "/track", {"number": LONG, "code": LONG}),
        ("get", "/track?number=" + "x" * 5000, None),
        ("post", "/login", {}),
        ("post", "/login", {"email": LONG, "password": LONG}),
        (
            "post",
            "/register",
            {
                "email": "x" * 400 + "@example.kz",
                "password": "p" * 400,
                "password_confirm": "p" * 400,
                "full_name": LONG,
            },
        ),
        ("get", "/lang/xx?next=javascript:alert(1)", None),
        ("get", "/appeals/%00/receipt", None),
        ("get", "/my/appeals/" + "9" * 500, None),
        ("get", "/appeals/RC-2026-00000001/attachments/99999999999999999999999", None),
    ],
)
def test_other_pages_never_fail_on_garbage(client, method, url, data):
    response = getattr(client, method)(url, data=data)
    assert response.status_code < 500


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("post", "/login", {"email": "a\x00@b.kz", "password": "x"}),
        ("post", "/appeals/new", {"subject": "a\x00b"}),
        ("get", "/review/?q=%00", None),
        ("get", "/open311/v2/requests.json?service_code=la%00nd", None),
        ("get", "/open311/v2/services/la%00nd.json", None),
    ],
)
def test_nul_characters_are_refused_cleanly(client, method, url, data):
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 400


# --- The pages and APIs with the alphabets that used to give server errors --------------

from datetime import UTC, datetime  # noqa: E402
from urllib.parse import quote  # noqa: E402

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.factories import PASSWORD, make_staff  # noqa: E402

PAGES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
UNICODE_DIGITS = "²³¹٣١۳०１２𝟗"
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet="0123456789" + UNICODE_DIGITS + " -+.e", max_size=12),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "²⁰²⁶-01-01"]),
)
# Lone surrogates cannot travel in a URL as text; their UTF-8 forms ("%ED%A0%80") can.
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["%ED%A0%80", "%ED%BF%BF", "a%0D%0Ab", "%C0%AF", "\u202e", "\\", "//x"]),
)
UNKNOWN = st.dictionaries(
    st.sampled_from(["_external", "_scheme", "_anchor", "_method", "endpoint", "values", "zz"]),
    st.sampled_from(["1", "javascript", "true", "x"]),
    max_size=4,
)
FILTERS = (
    "page",
    "due_within",
    "executor",
    "id",
    "page_size",
    "date_from",
    "date_to",
    "start_date",
    "end_date",
    "template",
    "rating",
)
STAFF_PAGES = (
    "/review/",
    "/monitoring/",
    "/monitoring/overdue",
    "/monitoring/export.csv",
    "/stats",
    "/admin/users",
    "/admin/audit",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
)


def _query(values: dict) -> str:
    # Percent-escapes in values are kept as they are, so that "%ED%A0%80" arrives as bytes.
    return "&".join(f"{quote(k)}={quote(v, safe='%')}" for k, v in values.items())


@pytest.fixture
def head_client(client):
    user = make_staff(role="head", email="bad-input-head@example.kz")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
    return client


@pytest.fixture
def admin_in(client):
    from tests.factories import make_user

    user = make_user(role="admin", email="bad-input-admin@example.kz")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


@PAGES
@given(
    st.sampled_from(STAFF_PAGES),
    st.fixed_dictionaries({}, optional={name: NUMBERS | DATES | ODD_TEXT for name in FILTERS}),
    UNKNOWN,
)
@example("/review/", {"page": "²"}, {})
@example("/review/", {"executor": str(10**30)}, {"_external": "1", "_scheme": "javascript"})
@example("/monitoring/", {"date_to": "0001-01-01"}, {})
@example("/monitoring/export.csv", {"date_from": "9999-12-31"}, {})
@example("/stats", {"page": "٣"}, {})
@example("/admin/audit", {"id": "²"}, {"endpoint": "x"})
@example("/open311/v2/requests.json", {"end_date": "0001-01-01T00:00:00Z"}, {})
def test_staff_pages_never_fail(head_client, page, values, unknown):
    response = head_client.get(f"{page}?{_query({**values, **unknown})}")
    assert response.status_code in (200, 400, 403, 404), (page, values, response.status_code)


@PAGES
@given(st.fixed_dictionaries({}, optional={name: NUMBERS | ODD_TEXT for name in FILTERS}), UNKNOWN)
@example({"page": "²"}, {"_external": "1", "_scheme": "javascript"})
def test_admin_lists_never_fail(admin_in, values, unknown):
    for page in ("/admin/users", "/admin/audit", "/admin/authorities", "/admin/templates"):
        response = admin_in.get(f"{page}?{_query({**values, **unknown})}")
        assert response.status_code in (200, 400, 404), (page, response.status_code)


def test_unknown_parameters_never_reach_the_links(app, head_client, monkeypatch):
    from tests.factories import make_appeal

    for _ in range(2):
        make_appeal(datetime(2026, 11, 17, 4, tzinfo=UTC))
    monkeypatch.setitem(app.config, "REVIEW_PAGE_SIZE", 1)  # so that the queue has page links
    response = head_client.get(
        "/review/?status=all&q=&_external=1&_scheme=javascript&_anchor=y&zz=1&values=v"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/review/?page=2&amp;status=all"' in body
    # (the language links carry the whole address, encoded, as their own `next`)
    for leaked in ("javascript:", "_scheme=", "_anchor=", "#y", "zz=", "values="):
        assert leaked not in body, leaked
    # A name url_for itself takes, typed in the address bar, is no server error either.
    assert head_client.get("/review/?endpoint=x&status=all").status_code == 200


def test_page_numbers_in_other_scripts_show_the_first_page(head_client):
    for url in ("/review/?page=²", "/stats?page=٣", "/review/?page=" + "9" * 40):
        assert head_client.get(url).status_code == 200, url


def test_a_date_at_the_calendars_edge_is_a_message_in_the_users_language(head_client):
    response = head_client.get("/monitoring/?date_to=0001-01-01", headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    assert "2000-01-01" in response.get_data(as_text=True)


@PAGES
@given(ODD_TEXT | st.sampled_from(["/\r\n", "/%0d%0aLocation:x", "/\\\\evil.kz", "//evil.kz"]))
@example("/%0D%0ASet-Cookie:%20x=1")
@example("/\\evil.example")
def test_next_never_breaks_or_leaves_the_site(client, target):
    for base in ("/lang/ru", "/login"):
        response = client.get(f"{base}?next={quote(target, safe='%')}")
        assert response.status_code in (200, 302, 400), (base, target)  # 400: NUL
        location = response.headers.get("Location", "/")
        assert location.startswith("/") and not location.startswith("//"), location
        assert "\\" not in location and "\r" not in location and "\n" not in location


_key = {}


def _bearer():
    from reception.accounts.apikeys import create_api_key
    from reception.extensions import db

    user = make_staff(role="head", email="bad-json@example.kz")
    _, secret = create_api_key(db.session, name="json", user=user, now=datetime.now(UTC))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def _nested(depth: int) -> str:
    return '{"action": "note", "x": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    "body, status",
    [
        (_nested(50_000), 413),
        (_nested(3_000), 422),
        (_nested(12), 422),
        ('{"action": "note", "text": "\\ud800"}', 422),
        ('{"action": "note", "\\udc00": 1}', 422),
        ("[1]", 400),
        ("", 400),
        ('{"action": "note", "text": "' + "я" * 40_000 + '"}', 413),
    ],
)
def test_json_api_refuses_odd_bodies_clearly(client, body, status):
    from tests.factories import make_appeal

    appeal, _ = make_appeal(datetime(2026, 11, 17, 4, tzinfo=UTC))
    response = client.post(
        f"/api/v1/appeals/{appeal.number}/actions", data=body.encode(), headers=_bearer()
    )
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["message"]


@PAGES
@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: NUMBERS | ODD_TEXT
            for name in ("page", "due_within", "executor", "status", "kind", "overdue")
        },
    ),
    UNKNOWN,
)
@example({"page": "²", "executor": "٣"}, {})
@example({"executor": str(10**30)}, {})
def test_json_api_list_never_fails(client, values, unknown):
    if "headers" not in _key:
        _key["headers"] = _bearer()
    response = client.get(
        f"/api/v1/appeals?{_query({**values, **unknown})}", headers=_key["headers"]
    )
    if response.status_code == 401:  # the key was removed with the last test's data
        _key["headers"] = _bearer()
        response = client.get(
            f"/api/v1/appeals?{_query({**values, **unknown})}", headers=_key["headers"]
        )
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]


def test_a_lone_surrogate_with_an_idempotency_key_is_refused_cleanly(client):
    from tests.factories import make_appeal

    appeal, _ = make_appeal(datetime(2026, 11, 17, 4, tzinfo=UTC))
    headers = {**_bearer(), "Idempotency-Key": "surrogate-1"}
    body = b'{"action": "note", "text": "\\ud800"}'
    response = client.post(f"/api/v1/appeals/{appeal.number}/actions", data=body, headers=headers)
    assert response.status_code == 422


# --- Every numeric part of every address, too large for any column or in another script --

from tests.security.test_authorization_matrix import (  # noqa: E402
    _all_routes,
    url_for_rule,
    world,  # noqa: F401 (the fixture)
)

ID_ROUTES = sorted(
    {endpoint for endpoint, _ in _all_routes() if endpoint != "static"},
)


@pytest.mark.parametrize("huge", [10**30, 2**31, 2**63])
def test_ids_in_addresses_too_large_for_the_database_are_not_found(app, world, huge):  # noqa: F811
    clients, values = world
    problems = []
    for rule in app.url_map.iter_rules():
        numeric = [
            name
            for name, converter in rule._converters.items()
            if type(converter).__name__ == "IntegerConverter"
        ]
        if not numeric or "GET" not in rule.methods:
            continue
        url = url_for_rule(app, rule, {**values, **dict.fromkeys(numeric, huge)}, "GET")
        for role in ("anonymous", "citizen", "official", "admin"):
            response = clients[role].get(url)
            if response.status_code >= 500:
                problems.append((role, url, response.status_code))
        # The same place in other scripts' digits.
        for digits in ("²", "٣", "１２"):
            odd = url.replace(str(huge), digits)
            if clients["admin"].get(odd).status_code >= 500:
                problems.append(("admin", odd))
    assert problems == []
