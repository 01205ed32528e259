"""Every route × every role, with the expected answer, generated from the URL map.

A new route without an entry in ACCESS fails `test_every_route_has_an_expected_access`,
so nobody can add a page without deciding who may open it.
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from reception.accounts.apikeys import create_api_key
from reception.directory.models import (
    AnswerTemplate,
    Authority,
    Category,
    HolidayOverride,
    RoutingRule,
)
from reception.extensions import db
from tests.factories import PASSWORD, PDF_BYTES, make_appeal, make_staff, make_user, upload

ROLES = (
    "anonymous",
    "citizen",
    "other_citizen",
    "official",
    "other_official",
    "head",
    "operator",
    "admin",
)

OK, LOGIN, FORBIDDEN, HIDDEN, UNAUTHORIZED, REFUSED = (
    "ok",
    "login",
    "forbidden",
    "hidden",
    "unauthorized",
    "refused",
)

_everyone = dict.fromkeys(ROLES, OK)
PUBLIC = _everyone
OWNER_ONLY = {**dict.fromkeys(ROLES, HIDDEN), "citizen": OK}
OWNER_OR_STAFF = {**OWNER_ONLY, "official": OK, "head": OK, "admin": OK}
LOGGED_IN = {**_everyone, "anonymous": LOGIN}
STAFF = {**LOGGED_IN, "citizen": FORBIDDEN, "other_citizen": FORBIDDEN}
STAFF_APPEAL = {**STAFF, "other_official": HIDDEN, "operator": HIDDEN}
STAFF_ACTION = {**STAFF_APPEAL, "admin": REFUSED}  # the workflow gives admins no action
DASHBOARD = {**dict.fromkeys(ROLES, FORBIDDEN), "anonymous": LOGIN, "head": OK, "admin": OK}
ADMIN = {**dict.fromkeys(ROLES, FORBIDDEN), "anonymous": LOGIN, "admin": OK}
API = dict.fromkeys(ROLES, UNAUTHORIZED)  # a browser session is never an API key
OPEN311_CREATE = dict.fromkeys(ROLES, FORBIDDEN)  # needs an api_key

# endpoint -> expected access (or {method: access} where GET and POST differ)
ACCESS = {
    "core.home": PUBLIC,
    "core.healthz": PUBLIC,
    "core.set_language": PUBLIC,
    "static": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.logout": PUBLIC,
    "accounts.register": PUBLIC,
    # A forged set-password link is "not found" for everyone.
    "accounts.set_password": dict.fromkeys(ROLES, HIDDEN),
    "accounts.confirm_email": dict.fromkeys(ROLES, HIDDEN),
    # The second log-in step needs the password step first; logged-in users are sent on.
    "two_factor.verify": LOGGED_IN,
    "two_factor.settings": LOGGED_IN,
    "two_factor.setup": LOGGED_IN,
    "two_factor.new_recovery_codes": LOGGED_IN,
    "two_factor.disable": LOGGED_IN,
    "two_factor.end_other_sessions": LOGGED_IN,
    "appeals.new": PUBLIC,
    "appeals.track": PUBLIC,
    "monitoring.stats": PUBLIC,
    # The public term calculator (docs/domain.md, section 11).
    "terms.calculator": PUBLIC,
    "terms.calculator_json": PUBLIC,
    "appeals.my_appeals": LOGGED_IN,
    "appeals.receipt": OWNER_ONLY,
    "appeals.view": OWNER_ONLY,
    "appeals.act": OWNER_ONLY,
    "appeals.attachment": OWNER_OR_STAFF,
    "review.queue": STAFF,
    "review.appeal": STAFF_APPEAL,
    "review.act": STAFF_ACTION,
    "review.notified": STAFF_ACTION,
    "review.letter": STAFF_APPEAL,
    "monitoring.dashboard": DASHBOARD,
    "monitoring.overdue": DASHBOARD,
    "monitoring.export": DASHBOARD,
    "open_data.figures_export": DASHBOARD,
    # Open data and the public page of each body: the same for everyone, nothing personal.
    "open_data.data_csv": PUBLIC,
    "open_data.data_json": PUBLIC,
    "open_data.body": PUBLIC,
    # "Was your problem resolved?": a forged or damaged link is "not found" for everyone.
    "survey.answer": dict.fromkeys(ROLES, HIDDEN),
    "api.list_appeals": API,
    "api.get_appeal": API,
    "api.post_action": API,
    "openapi.document": PUBLIC,
    # For probes. The matrix's clients come from 127.0.0.1, which RECEPTION_METRICS_ALLOW lets
    # in; other addresses and tokens are in tests/ops/test_metrics.py.
    "ops.readyz": PUBLIC,
    "ops.metrics_page": PUBLIC,
    "open311.discovery": PUBLIC,
    "open311.services": PUBLIC,
    "open311.service_definition": PUBLIC,
    "open311.list_requests": PUBLIC,
    # Not published with consent and not filed by a key: not there for Open311 readers.
    "open311.get_request": dict.fromkeys(ROLES, HIDDEN),
    "open311.token": dict.fromkeys(ROLES, HIDDEN),
    "open311.create_request": OPEN311_CREATE,
}
ADMIN_ENDPOINTS = (
    "home",
    "api_keys",
    "revoke_api_key",
    "audit",
    "authorities",
    "edit_authority",
    "new_authority",
    "categories",
    "edit_category",
    "new_category",
    "holidays",
    "delete_holiday",
    "routing",
    "edit_rule",
    "delete_rule",
    "new_rule",
    "test_route",
    "templates",
    "edit_template",
    "new_template",
    "users",
    "edit_user",
    "deactivate_user",
    "invite_user",
    "reactivate_user",
    "reset_two_factor",
    "end_user_sessions",
    "new_user",
    "security_events",
)
ACCESS.update({f"admin.{name}": ADMIN for name in ADMIN_ENDPOINTS})
# Where one method answers differently from the rest of its route.
EXCEPTIONS = {
    # A wrong password (the matrix posts none) is 401 for a visitor; users already logged in
    # are sent on.
    ("accounts.login", "POST"): {"anonymous": UNAUTHORIZED},
    # Tracking without the right code finds nothing, whoever asks.
    ("appeals.track", "POST"): dict.fromkeys(ROLES, HIDDEN),
}


def outcome(response) -> str:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    return {401: UNAUTHORIZED, 403: FORBIDDEN, 404: HIDDEN, 409: REFUSED}.get(
        response.status_code, OK
    )


@pytest.fixture
def world(app):
    """One appeal of a citizen at the Astana akimat, and a person for every role."""
    people = {
        "citizen": make_user(email="owner@example.kz"),
        "other_citizen": make_user(email="other@example.kz"),
        "official": make_staff(role="official"),
        "other_official": make_staff("almaty-akimat", email="official@almaty.kz"),
        "head": make_staff(role="head"),
        "operator": make_user(
            role="operator", email="operator@example.kz", authority_code="astana-akimat"
        ),
        "admin": make_user(role="admin", email="admin@example.kz"),
    }
    appeal, _ = make_appeal(
        datetime(2026, 11, 17, 4, tzinfo=UTC),
        actor=people["citizen"],
        uploads=[upload(PDF_BYTES, "scan.pdf")],
    )
    db.session.add(HolidayOverride(day=date(2030, 1, 2), kind="day_off", note="Test"))
    key, _secret = create_api_key(db.session, name="Matrix", now=datetime.now(UTC))
    db.session.commit()
    values = {
        "number": appeal.number,
        "attachment_id": appeal.attachments[0].id,
        "token": "not-a-token",
        "code": "ru",
        "action": None,
        "filename": "css/app.css",
        "fmt": "json",
        "service_code": "land",
        "service_request_id": appeal.number,
        "authority_id": db.session.scalar(
            select(Authority.id).where(Authority.code == "astana-akimat")
        ),
        "category_id": db.session.scalar(select(Category.id).limit(1)),
        "rule_id": db.session.scalar(select(RoutingRule.id).limit(1)),
        "template_id": db.session.scalar(select(AnswerTemplate.id).limit(1)),
        "holiday_id": db.session.scalar(select(HolidayOverride.id)),
        "user_id": people["official"].id,
        "key_id": key.id,
    }
    clients = {"anonymous": app.test_client()}
    for role, person in people.items():
        client = app.test_client()
        response = client.post("/login", data={"email": person.email, "password": PASSWORD})
        assert response.status_code == 302, role
        clients[role] = client
    return clients, values


def url_for_rule(app, rule, values, method):
    from flask import url_for

    arguments = {name: values[name] for name in rule.arguments}
    if rule.endpoint == "open_data.body":
        arguments["code"] = "astana-akimat"
    if "action" in rule.arguments:
        arguments["action"] = "withdraw" if rule.endpoint == "appeals.act" else "note"
    with app.test_request_context():
        return url_for(rule.endpoint, **arguments)


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _all_routes():
    from config import TestingConfig
    from reception import create_app

    return [(rule.endpoint, method) for rule, method in routes(create_app(TestingConfig))]


def test_every_route_has_an_expected_access(app):
    missing = sorted({rule.endpoint for rule, _ in routes(app)} - set(ACCESS))
    assert missing == [], f"add these endpoints to ACCESS: {missing}"


@pytest.mark.parametrize("endpoint, method", _all_routes())
def test_route_answers_every_role_as_expected(app, world, endpoint, method):
    clients, values = world
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = url_for_rule(app, rule, values, method)
    expected = {**ACCESS[endpoint], **EXCEPTIONS.get((endpoint, method), {})}
    problems = []
    for role in ROLES:  # the administrator last: their changes cannot hide another's answer
        data = {"text": "Matrix note", "confirm": "yes"} if method == "POST" else None
        got = outcome(clients[role].open(url, method=method, data=data))
        if got != expected[role]:
            problems.append(f"{method} {url} as {role}: got {got}, expected {expected[role]}")
    assert problems == []
