"""An action that names another appeal, a person or a body tells nothing about it.

What the actor may not see (another body's appeal or official, a citizen, an inactive
user or body) is answered exactly as what does not exist: the same status, code, field and
message, on the page and in the API.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal
from reception.directory.models import Authority
from reception.extensions import db
from reception.review import services
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff, make_user, workflow_settings

UNKNOWN_NUMBER = "RC-2026-09999999"


def bearer(user):
    _, secret = create_api_key(db.session, name="DMS", user=user, now=datetime.now(UTC))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def logged_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    client.get("/review/")  # shows the "logged in" notice, which only the first page would
    return client


def taken(official, **overrides):
    appeal, _ = make_appeal(TUESDAY_MORNING, **overrides)
    services.take_appeal(
        db.session, appeal, actor=official, now=TUESDAY_MORNING, settings=workflow_settings()
    )
    db.session.commit()
    return appeal


def page_answer(response, typed: str) -> tuple[int, str]:
    """The status and the page, with what was typed (echoed in the form) blanked out.

    CSRF tokens carry the second they were made in, so two pages a second apart differ
    there: they are blanked out too.
    """
    page = re.sub(
        r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', response.get_data(as_text=True)
    )
    return response.status_code, page.replace(typed, "TYPED") if typed else page


def api_answer(response) -> tuple[int, dict]:
    return response.status_code, response.get_json()


def assert_all_alike(answers: dict):
    first_name, first = next(iter(answers.items()))
    for name, answer in answers.items():
        if answer != first and isinstance(answer[1], str):
            import difflib

            diff = "\n".join(
                difflib.unified_diff(first[1].splitlines(), answer[1].splitlines(), lineterm="")
            )
            raise AssertionError(f"{name} is answered differently from {first_name}:\n{diff}")
        assert answer == first, f"{name} is answered differently from {first_name}"


@pytest.fixture
def official():
    return make_staff(role="official")


@pytest.fixture
def head():
    return make_staff(role="head")


# mark_duplicate: the earlier appeal


def test_marking_a_duplicate_of_another_bodys_appeal_is_as_of_none(app, official):
    theirs, _ = make_appeal(TUESDAY_MORNING, region="KZ-79")  # Shymkent's body
    mine_earlier, _ = make_appeal(TUESDAY_MORNING)
    appeal = taken(official)
    assert theirs.authority_id != appeal.authority_id
    page, headers = logged_in(app, official), bearer(official)
    url = f"/review/appeals/{appeal.number}/actions/mark_duplicate"
    api_url = f"/api/v1/appeals/{appeal.number}/actions"
    typed = {"another body's appeal": theirs.number, "no such appeal": UNKNOWN_NUMBER}

    pages = {
        name: page_answer(page.post(url, data={"number": n, "confirm": "yes"}), n)
        for name, n in typed.items()
    }
    apis = {
        name: api_answer(
            page.post(api_url, json={"action": "mark_duplicate", "number": n}, headers=headers)
        )
        for name, n in typed.items()
    }

    assert_all_alike(pages)
    assert_all_alike(apis)
    assert pages["no such appeal"][0] == 422
    assert apis["no such appeal"] == (
        422,
        {
            "error": {
                "code": "invalid",
                "field": "number",
                "message": "Enter the number of an earlier appeal.",
            }
        },
    )
    db.session.rollback()
    assert db.session.get(Appeal, appeal.id).status == "in_progress"
    # Its own body's earlier appeal is accepted.
    done = page.post(
        api_url, json={"action": "mark_duplicate", "number": mine_earlier.number}, headers=headers
    )
    assert done.status_code == 200


def test_the_service_refuses_another_bodys_appeal_as_an_unknown_one(app):
    """Not only the views: the service itself checks that the actor may see the appeal."""
    from reception.core.refusals import Refused
    from reception.review.services import mark_duplicate

    official = make_staff(role="official")
    theirs, _ = make_appeal(TUESDAY_MORNING, region="KZ-79")
    appeal = taken(official)
    answers = {}
    for name, number in (("theirs", theirs.number), ("none", UNKNOWN_NUMBER)):
        with pytest.raises(Refused) as refused:
            mark_duplicate(
                db.session,
                appeal,
                actor=official,
                now=TUESDAY_MORNING,
                settings=workflow_settings(),
                number=number,
            )
        answers[name] = (refused.value.code, refused.value.field, str(refused.value.message))
        db.session.rollback()
    assert_all_alike(answers)


# assign: the executor


def test_assigning_anyone_but_an_active_official_of_the_body_is_as_of_nobody(app, head, official):
    appeal = taken(official)
    elsewhere = make_staff(authority_code="shymkent-akimat", role="official")
    citizen = make_user(email="citizen@example.kz")
    inactive = make_staff(role="official", email="left@example.kz")
    inactive.is_active = False
    db.session.commit()
    operator = make_staff(role="operator", email="operator@example.kz")
    typed = {
        "nobody": "987654",
        "another body's official": str(elsewhere.id),
        "a citizen": str(citizen.id),
        "an inactive official": str(inactive.id),
        "an operator": str(operator.id),
    }
    page, headers = logged_in(app, head), bearer(head)
    url = f"/review/appeals/{appeal.number}/actions/assign"
    api_url = f"/api/v1/appeals/{appeal.number}/actions"

    pages = {
        name: page_answer(page.post(url, data={"executor": value}), "")
        for name, value in typed.items()
    }
    apis = {
        name: api_answer(
            page.post(api_url, json={"action": "assign", "executor": value}, headers=headers)
        )
        for name, value in typed.items()
    }

    assert_all_alike(pages)
    assert_all_alike(apis)
    assert apis["nobody"][0] == 422 and apis["nobody"][1]["error"]["field"] == "executor"
    ok = page.post(api_url, json={"action": "assign", "executor": official.id}, headers=headers)
    assert ok.status_code == 200


# forward: the body


@pytest.fixture
def inactive_authority():
    authority = db.session.scalar(select(Authority).where(Authority.code == "shymkent-akimat"))
    authority.is_active = False
    db.session.commit()
    yield authority.code
    authority = db.session.scalar(select(Authority).where(Authority.code == "shymkent-akimat"))
    authority.is_active = True
    db.session.commit()


def test_forwarding_to_an_inactive_body_is_as_to_an_unknown_one(app, official, inactive_authority):
    appeal = taken(official)
    typed = {"inactive body": inactive_authority, "unknown body": "no-such-body"}
    page, headers = logged_in(app, official), bearer(official)
    url = f"/review/appeals/{appeal.number}/actions/forward"
    api_url = f"/api/v1/appeals/{appeal.number}/actions"

    pages = {
        name: page_answer(page.post(url, data={"authority": code, "reason": "Not ours"}), code)
        for name, code in typed.items()
    }
    apis = {
        name: api_answer(
            page.post(
                api_url,
                json={"action": "forward", "authority": code, "reason": "Not ours"},
                headers=headers,
            )
        )
        for name, code in typed.items()
    }

    assert_all_alike(pages)
    assert_all_alike(apis)
    assert apis["unknown body"][0] == 422
    assert apis["unknown body"][1]["error"]["field"] == "authority"
    db.session.rollback()
    assert db.session.get(Appeal, appeal.id).forwards_count == 0


# the appeal itself


def test_another_bodys_appeal_is_as_missing_on_every_staff_route(app, official):
    theirs, _ = make_appeal(TUESDAY_MORNING, region="KZ-79")
    page, headers = logged_in(app, official), bearer(official)
    for template in (
        "/review/appeals/{}",
        "/review/appeals/{}/actions/take",
        "/api/v1/appeals/{}",
        "/api/v1/appeals/{}/actions",
    ):
        answers = {}
        for name, number in (("theirs", theirs.number), ("none", UNKNOWN_NUMBER)):
            url = template.format(number)
            if "/api/" in url:
                method = page.post if url.endswith("actions") else page.get
                kwargs = {"json": {"action": "take"}} if url.endswith("actions") else {}
                response = method(url, headers=headers, **kwargs)
                answers[name] = api_answer(response)
            else:
                response = page.post(url) if url.endswith("take") else page.get(url)
                answers[name] = page_answer(response, number)
        assert_all_alike(answers)
        assert next(iter(answers.values()))[0] == 404
    db.session.rollback()
    assert db.session.get(Appeal, theirs.id).status == "registered"
