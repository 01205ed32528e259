"""Property-based tests: no input to the forms or the APIs gives a server error."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reception.accounts.apikeys import create_api_key
from reception.extensions import db
from tests.factories import make_staff

# NUL characters are refused with 400 by a guard before any view (PostgreSQL cannot hold
# them); every other answer is the handler's own.
text = st.text(max_size=300)
maybe = st.one_of(
    st.none(),
    text,
    st.sampled_from(
        ["", "KZ-71", "land", "application", "ru", "900101300017", "a@b.kz", "<script>", "\x00"]
    ),
)
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = (
    "kind",
    "category",
    "region",
    "authority",
    "subject",
    "text",
    "applicant_type",
    "full_name",
    "iin",
    "email",
    "phone",
    "address",
    "language",
    "publish_consent",
    "website",
    "channel",
    "submission_key",
    "kept_attachments",
)


def form(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


@FAST
@given(st.fixed_dictionaries({name: maybe for name in FIELDS}))
def test_the_appeal_form_never_fails(client, values):
    response = client.post("/appeals/new", data=form(values))
    assert response.status_code in (302, 400, 422)


@FAST
@given(number=maybe, code=maybe)
def test_tracking_never_fails(client, number, code):
    response = client.post("/track", data=form({"number": number, "code": code}))
    assert response.status_code in (200, 400, 404)


@FAST
@given(email=maybe, password=maybe, confirm=maybe, name=maybe)
def test_registration_and_log_in_never_fail(client, email, password, confirm, name):
    registered = client.post(
        "/register",
        data=form(
            {"email": email, "password": password, "password_confirm": confirm, "full_name": name}
        ),
    )
    # 200: "check your e-mail" (the same page for a new and a taken address).
    assert registered.status_code in (200, 302, 400, 422)
    logged = client.post("/login", data=form({"email": email, "password": password}))
    # 403: the password is right but the address is not confirmed yet.
    assert logged.status_code in (200, 302, 400, 401, 403)


@FAST
@given(code=maybe, renew=maybe, off=maybe)
def test_the_second_factor_forms_never_fail(make_app, code, renew, off):
    from tests.factories import PASSWORD

    head = make_staff(role="head", email="head.props@example.kz")
    strict = make_app(TWO_FACTOR_REQUIRED_ROLES=("head",))
    client = strict.test_client()
    client.post("/login", data={"email": head.email, "password": PASSWORD})
    for url, data in (
        ("/account/security/setup", {"code": code}),
        ("/account/security/recovery-codes", {"renew-code": renew}),
        ("/account/security/disable", {"off-code": off}),
        ("/login/verify", {"code": code}),
    ):
        response = client.post(url, data=form(data))
        assert response.status_code in (200, 302, 400, 401, 422), url
    db.session.delete(head)
    db.session.commit()


OPEN311 = (
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "attribute[region]",
    "attribute[kind]",
    "attribute[iin]",
    "attribute[language]",
)


@FAST
@given(st.fixed_dictionaries({name: maybe for name in OPEN311}), st.sampled_from(["json", "xml"]))
def test_open311_create_never_fails(client, values, fmt):
    response = client.post(f"/open311/v2/requests.{fmt}", data=form(values))
    assert response.status_code in (200, 400, 403, 404)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "service_request_id",
                "service_code",
                "start_date",
                "end_date",
                "status",
                "page",
                "page_size",
                "extensions",
                "locale",
                "api_key",
            ]
        ),
        text,
        max_size=6,
    )
)
def test_open311_list_never_fails(client, query):
    response = client.get("/open311/v2/requests.json", query_string=query)
    assert response.status_code in (200, 400)


_key = {}


def staff_key():
    if "header" not in _key or db.session.get(type(_key["user"]), _key["user_id"]) is None:
        user = make_staff(role="head", email="prop-head@example.kz")
        _, secret = create_api_key(db.session, name="prop", user=user, now=datetime.now(UTC))
        db.session.commit()
        _key.update(header={"Authorization": f"Bearer {secret}"}, user=user, user_id=user.id)
    return _key["header"]


@FAST
@given(
    st.one_of(
        st.dictionaries(
            text,
            st.one_of(
                text, st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2)
            ),
        ),
        st.lists(st.integers(), max_size=3),
        text,
    ),
    st.sampled_from(
        [
            "take",
            "assign",
            "forward",
            "request_info",
            "extend",
            "answer",
            "return",
            "terminate",
            "mark_duplicate",
            "note",
            "fly",
            None,
        ]
    ),
)
def test_json_api_actions_never_fail(client, payload, action):
    from tests.factories import make_appeal

    appeal, _ = make_appeal(datetime(2026, 11, 17, 4, tzinfo=UTC))
    if isinstance(payload, dict) and action is not None:
        payload = {**payload, "action": action}
    response = client.post(
        f"/api/v1/appeals/{appeal.number}/actions", json=payload, headers=staff_key()
    )
    assert response.status_code in (200, 400, 404, 409, 422)
    assert "error" in response.get_json() or response.status_code == 200
