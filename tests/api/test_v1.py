"""The JSON API: a staff member's key works the queue through the same services."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_appeal, make_staff, make_user


def key_for(user=None):
    _, secret = create_api_key(db.session, name="DMS", user=user, now=datetime.now(UTC))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def official_key():
    return key_for(make_staff(role="official"))


def test_without_a_key_every_call_is_401_json(client):
    for response in (
        client.get("/api/v1/appeals"),
        client.get("/api/v1/appeals/RC-1"),
        client.post("/api/v1/appeals/RC-1/actions", json={"action": "take"}),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    wrong = client.get("/api/v1/appeals", headers={"Authorization": "Bearer rk_nope"})
    assert wrong.status_code == 401


def test_keys_without_a_staff_user_are_403(client):
    assert client.get("/api/v1/appeals", headers=key_for()).status_code == 403
    citizen = make_user(email="c@example.kz")
    assert client.get("/api/v1/appeals", headers=key_for(citizen)).status_code == 403


def test_queue_lists_the_authoritys_appeals_with_filters(client, official_key):
    mine, _ = make_appeal(TUESDAY_MORNING)
    make_appeal(TUESDAY_MORNING, region="KZ-79")
    body = client.get("/api/v1/appeals", headers=official_key).get_json()
    assert [a["number"] for a in body["items"]] == [mine.number]
    assert body["items"][0]["actions"][0] == "take"
    assert (
        client.get("/api/v1/appeals?status=answered", headers=official_key).get_json()["total"] == 0
    )
    bad = client.get("/api/v1/appeals?status=lost", headers=official_key)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "status"


def test_official_takes_answers_and_the_citizen_is_told(client, official_key):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    url = f"/api/v1/appeals/{appeal.number}/actions"
    taken = client.post(url, json={"action": "take"}, headers=official_key)
    assert taken.status_code == 200 and taken.get_json()["appeal"]["status"] == "in_progress"
    answered = client.post(
        url, json={"action": "answer", "text": "Repaired on Monday."}, headers=official_key
    )
    assert answered.status_code == 200
    assert answered.get_json()["event"]["to_status"] == "answered"
    detail = client.get(f"/api/v1/appeals/{appeal.number}", headers=official_key).get_json()
    assert [e["action"] for e in detail["events"]] == ["register", "take", "answer"]
    assert detail["applicant"]["email"] == "askar@example.kz"
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.appeal_id == appeal.id)
    ).all()
    assert len(mails) == 3


def test_forward_through_the_api(client, official_key):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    response = client.post(
        f"/api/v1/appeals/{appeal.number}/actions",
        headers=official_key,
        json={"action": "forward", "authority": "almaty-akimat", "reason": "Almaty address"},
    )
    assert response.status_code == 200
    assert response.get_json()["appeal"]["authority"] == "almaty-akimat"
    # Now it belongs to another body: the key no longer sees it.
    assert client.get(f"/api/v1/appeals/{appeal.number}", headers=official_key).status_code == 404


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ("not json", 400, "bad_request"),
        ({"action": "fly"}, 400, "bad_request"),
        ({"action": "answer", "text": ""}, 422, "invalid"),
        ({"action": "extend", "due_on": "2027-01-01", "reason": "x"}, 409, "not_allowed"),
        ({"action": "answer", "text": {"nested": True}}, 422, "invalid"),
    ],
)
def test_refusals_are_json_with_the_right_status(client, official_key, payload, status, code):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    url = f"/api/v1/appeals/{appeal.number}/actions"
    if isinstance(payload, str):
        response = client.post(
            url, data=payload, headers={**official_key, "Content-Type": "application/json"}
        )
    else:
        response = client.post(url, json=payload, headers=official_key)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "registered"


def test_other_authoritys_appeal_is_404(client):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    key = key_for(make_staff("almaty-akimat", email="o@almaty.kz"))
    assert client.get(f"/api/v1/appeals/{appeal.number}", headers=key).status_code == 404
    response = client.post(
        f"/api/v1/appeals/{appeal.number}/actions", headers=key, json={"action": "take"}
    )
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_unknown_api_urls_answer_json(client, official_key):
    response = client.get("/api/v1/nothing", headers=official_key)
    assert response.status_code == 404 and "error" in response.get_json()


def test_api_is_rate_limited_per_key(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    key = key_for(make_staff(role="official"))
    browser = limited.test_client()
    codes = {browser.get("/api/v1/appeals?page=1", headers=key).status_code for _ in range(305)}
    assert 429 in codes
