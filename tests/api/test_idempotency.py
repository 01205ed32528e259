"""Idempotency-Key: a POST retried after a lost answer is answered, not done, again."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from reception.accounts.apikeys import create_api_key
from reception.api import open311, v1
from reception.api.models import IdempotentResponse
from reception.appeals.models import Appeal, AppealEvent
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.review import services
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_appeal, make_staff, workflow_settings

BASE = "/open311/v2"


def bearer(user):
    _, secret = create_api_key(db.session, name="DMS", user=user, now=datetime.now(UTC))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def open311_key(name="City app"):
    _, secret = create_api_key(db.session, name=name, now=datetime.now(UTC))
    db.session.commit()
    return secret


def request_form(secret, **overrides):
    data = {
        "api_key": secret,
        "service_code": "roads-transport",
        "attribute[region]": "KZ-71",
        "address_string": "Астана, Кенесары 40",
        "first_name": "Асқар",
        "last_name": "Мұқанов",
        "email": "askar@example.kz",
        "description": "Pothole at the bus stop\nA deep pothole next to the stop.",
    }
    data.update(overrides)
    return data


def with_key(headers, key):
    return {**headers, "Idempotency-Key": key}


def count(model, *where):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(appeal, action):
    return count(AppealEvent, AppealEvent.appeal_id == appeal.id, AppealEvent.action == action)


def taken(official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    services.take_appeal(
        db.session, appeal, actor=official, now=TUESDAY_MORNING, settings=workflow_settings()
    )
    db.session.commit()
    return appeal


@pytest.fixture
def official():
    return make_staff(role="official")


# The JSON API


def test_a_retried_action_answers_the_first_result_and_does_nothing(client, official):
    appeal = taken(official)
    headers = with_key(bearer(official), "0b5e1f7c-answer-1")
    url = f"/api/v1/appeals/{appeal.number}/actions"
    payload = {"action": "answer", "text": "Repaired on Monday."}
    first = client.post(url, json=payload, headers=headers)
    mails = count(OutboxMessage, OutboxMessage.appeal_id == appeal.id)
    # The client lost the answer and sends the same request again, keys in another order.
    again = client.post(
        url, json={"text": "Repaired on Monday.", "action": "answer"}, headers=headers
    )

    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert events(appeal, "answer") == 1
    assert count(OutboxMessage, OutboxMessage.appeal_id == appeal.id) == mails
    # Without the key the same retry is a new request: refused, the appeal is answered.
    plain = client.post(url, json=payload, headers=bearer(official))
    assert plain.status_code == 409 and plain.get_json()["error"]["code"] == "not_allowed"


def test_the_same_key_with_another_request_is_refused(client, official):
    appeal = taken(official)
    headers = with_key(bearer(official), "note-key")
    url = f"/api/v1/appeals/{appeal.number}/actions"
    assert (
        client.post(url, json={"action": "note", "text": "One"}, headers=headers).status_code == 200
    )
    for other_url, payload in (
        (url, {"action": "note", "text": "Two"}),
        (url + "?x=1", {"action": "note", "text": "One"}),
    ):
        response = client.post(other_url, json=payload, headers=headers)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "idempotency_key_reused"
        assert error["field"] == "Idempotency-Key"
        assert "already used for a different request" in error["message"]
    assert events(appeal, "note") == 1


def test_keys_belong_to_the_api_key_that_sent_them(client, official):
    appeal = taken(official)
    colleague = make_staff(role="official", email="colleague@example.kz")
    url = f"/api/v1/appeals/{appeal.number}/actions"
    payload = {"action": "note", "text": "Called the applicant."}
    mine = client.post(url, json=payload, headers=with_key(bearer(official), "shared-key"))
    theirs = client.post(url, json=payload, headers=with_key(bearer(colleague), "shared-key"))
    assert mine.status_code == theirs.status_code == 200
    # The colleague's request was done as its own, not answered with the first one's result.
    assert "Idempotent-Replayed" not in theirs.headers
    assert events(appeal, "note") == 2
    assert count(IdempotentResponse) == 2


def test_a_refused_request_stores_nothing_and_is_judged_again(client, official):
    appeal = taken(official)
    headers = with_key(bearer(official), "draft-1")
    url = f"/api/v1/appeals/{appeal.number}/actions"
    refused = client.post(url, json={"action": "answer", "text": ""}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "text"
    assert count(IdempotentResponse) == 0
    fixed = client.post(url, json={"action": "answer", "text": "Done."}, headers=headers)
    assert fixed.status_code == 200 and events(appeal, "answer") == 1


@pytest.mark.parametrize("key", ["", " ", "a" * 256, "with space", "ключ", "tab\tkey"])
def test_a_malformed_key_is_a_clear_400(client, official, key):
    appeal = taken(official)
    response = client.post(
        f"/api/v1/appeals/{appeal.number}/actions",
        json={"action": "note", "text": "x"},
        headers=with_key(bearer(official), key),
    )
    assert response.status_code == 400
    assert "Idempotency-Key header must be 1 to 255" in response.get_json()["error"]["message"]
    assert events(appeal, "note") == 0


def test_keys_expire_and_the_daily_job_removes_them(app, client, official):
    appeal = taken(official)
    headers = with_key(bearer(official), "old-key")
    url = f"/api/v1/appeals/{appeal.number}/actions"
    payload = {"action": "note", "text": "Checked."}
    assert client.post(url, json=payload, headers=headers).status_code == 200
    hours = app.config["RECEPTION_IDEMPOTENCY_HOURS"]
    assert hours == 24
    db.session.execute(
        update(IdempotentResponse).values(
            created_at=datetime.now(UTC) - timedelta(hours=hours, minutes=1)
        )
    )
    db.session.commit()
    # Expired: the same request is a new one.
    again = client.post(url, json=payload, headers=headers)
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    assert events(appeal, "note") == 2
    assert count(IdempotentResponse) == 1

    db.session.execute(
        update(IdempotentResponse).values(created_at=datetime.now(UTC) - timedelta(days=2))
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["deadlines", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 expired idempotency keys removed" in result.output
    assert count(IdempotentResponse) == 0


# Open311


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_retried_open311_filing_files_one_appeal(client, fmt):
    secret = open311_key()
    url = f"{BASE}/requests.{fmt}"
    headers = {"Idempotency-Key": "c0ffee-1"}
    first = client.post(url, data=request_form(secret), headers=headers)
    again = client.post(url, data=request_form(secret), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.content_type == first.content_type
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(Appeal) == 1

    other = client.post(
        url, data=request_form(secret, description="Another pothole"), headers=headers
    )
    assert other.status_code == 422
    assert b"already used for a different request" in other.get_data()
    assert count(Appeal) == 1


def test_open311_keys_belong_to_their_api_key(client):
    url = f"{BASE}/requests.json"
    headers = {"Idempotency-Key": "same-key"}
    one = client.post(url, data=request_form(open311_key("One")), headers=headers)
    two = client.post(url, data=request_form(open311_key("Two")), headers=headers)
    assert one.status_code == two.status_code == 200
    assert one.get_json()[0]["service_request_id"] != two.get_json()[0]["service_request_id"]
    assert count(Appeal) == 2


def test_the_header_is_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").get_json()
    for path, method in (
        ("/api/v1/appeals/{number}/actions", "post"),
        (f"{BASE}/requests.json", "post"),
        (f"{BASE}/requests.xml", "post"),
    ):
        names = [p["name"] for p in document["paths"][path][method]["parameters"]]
        assert "Idempotency-Key" in names, path


# Two requests with one key at the same moment


def both_read_first(monkeypatch, module, name):
    barrier = threading.Barrier(2, timeout=30)
    seen = threading.local()
    original = getattr(module, name)

    def read_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(seen, "read", False):
            seen.read = True
            barrier.wait()
        return result

    monkeypatch.setattr(module, name, read_then_wait)


def race(*calls):
    results: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index, call):
        try:
            results[index] = call()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    return results


@pytest.mark.commits
def test_two_actions_with_one_key_at_once_do_it_once(app, postgres_only, monkeypatch, official):
    appeal = taken(official)
    headers = with_key(bearer(official), "race-key")
    url = f"/api/v1/appeals/{appeal.number}/actions"
    payload = {"action": "note", "text": "Sent twice by a retrying client."}
    clients = app.test_client(), app.test_client()
    both_read_first(monkeypatch, v1, "_visible_appeal")

    first, second = race(*(lambda c=c: c.post(url, json=payload, headers=headers) for c in clients))

    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert events(appeal, "note") == 1
    assert count(IdempotentResponse) == 1


@pytest.mark.commits
def test_two_open311_filings_with_one_key_at_once_file_one(app, postgres_only, monkeypatch):
    secret = open311_key()
    url = f"{BASE}/requests.json"
    headers = {"Idempotency-Key": "race-filing"}
    clients = app.test_client(), app.test_client()
    both_read_first(monkeypatch, open311, "_stored_answer")

    first, second = race(
        *(lambda c=c: c.post(url, data=request_form(secret), headers=headers) for c in clients)
    )

    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert count(Appeal) == 1
    assert count(IdempotentResponse) == 1
    # Gap-free numbering holds: the loser's number was given back with its rollback.
    assert db.session.scalar(select(Appeal.sequence)) == 1
