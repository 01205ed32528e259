"""The same form sent twice (a double click, a retry after a lost answer) files one appeal."""

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reception.appeals.models import Appeal
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.factories import appeal_data

KEY = "k" * 32


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def form_key(client) -> str:
    html = client.get("/appeals/new").get_data(as_text=True)
    return re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)


def test_every_form_shown_carries_its_own_key(client):
    first, second = form_key(client), form_key(client)
    assert first != second and len(first) >= 32


def test_sending_the_same_form_twice_registers_one_appeal(client, app):
    key = form_key(client)
    first = client.post("/appeals/new", data=appeal_data(submission_key=key))
    assert first.status_code == 302
    # The answer was lost; the citizen sends again from the same page.
    again = client.post("/appeals/new", data=appeal_data(submission_key=key))
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(Appeal) == 1 and count(OutboxMessage) == 1
    receipt = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "it was not filed twice" in receipt


def test_the_key_alone_gives_no_access_to_the_appeal(client, app):
    """Another client with the form's key (a copied page, a proxy's log) learns only that
    the appeal was filed: no receipt, no access to the appeal."""
    key = form_key(client)
    first = client.post("/appeals/new", data=appeal_data(submission_key=key))
    receipt_url = first.headers["Location"]
    stranger = app.test_client()
    replay = stranger.post("/appeals/new", data=appeal_data(submission_key=key))
    assert replay.status_code == 409
    page = replay.get_data(as_text=True)
    assert "already registered" in page and "/track" in page
    assert stranger.get(receipt_url).status_code == 404
    assert count(Appeal) == 1 and count(OutboxMessage) == 1


def test_only_the_hash_of_the_key_is_stored(client):
    key = form_key(client)
    client.post("/appeals/new", data=appeal_data(submission_key=key))
    stored = db.session.scalar(select(Appeal.submission_key))
    assert stored is not None and key not in stored
    assert stored == hashlib.sha256(key.encode()).hexdigest()


def test_a_retry_after_the_time_limit_shows_no_receipt(client, app):
    key = form_key(client)
    client.post("/appeals/new", data=appeal_data(submission_key=key))
    appeal = db.session.scalars(select(Appeal)).one()
    minutes = app.config["SUBMISSION_RETRY_MINUTES"]
    appeal.received_at = appeal.received_at - timedelta(minutes=minutes + 1)
    db.session.commit()
    late = client.post("/appeals/new", data=appeal_data(submission_key=key))
    assert late.status_code == 409 and "already registered" in late.get_data(as_text=True)
    assert count(Appeal) == 1


def test_different_forms_register_different_appeals(client):
    for _ in range(2):
        assert client.post("/appeals/new", data=appeal_data(submission_key=form_key(client)))
    assert count(Appeal) == 2


def test_a_form_corrected_after_an_error_still_files_once(client):
    key = form_key(client)
    refused = client.post("/appeals/new", data=appeal_data(submission_key=key, subject=""))
    assert refused.status_code == 422 and f'value="{key}"' in refused.get_data(as_text=True)
    assert client.post("/appeals/new", data=appeal_data(submission_key=key)).status_code == 302
    assert client.post("/appeals/new", data=appeal_data(submission_key=key)).status_code == 302
    assert count(Appeal) == 1


def test_a_missing_or_malformed_key_files_as_before(client):
    for key in ("", "short", "<script>" * 5, "k" * 65):
        assert client.post("/appeals/new", data=appeal_data(submission_key=key)).status_code == 302
    assert count(Appeal) == 4
    assert db.session.scalar(select(func.count()).where(Appeal.submission_key.is_not(None))) == 0


def bound_client(app, key):
    """A client whose session was given the form with this key (as after its page)."""
    from reception.appeals.receipts import _form_mark

    client = app.test_client()
    with client.session_transaction() as session:
        session["form_keys"] = [_form_mark(key)]
    return client


@pytest.mark.commits
def test_two_sends_at_the_same_moment_register_one_appeal(app, postgres_only):
    """Both requests pass the look-up; the unique key stops the second at its commit."""
    answers = []
    start = threading.Barrier(2)

    def send():
        client = bound_client(app, KEY)  # a double click: one browser, two requests
        start.wait()
        answers.append(client.post("/appeals/new", data=appeal_data(submission_key=KEY)))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    db.session.expire_all()
    assert count(Appeal) == 1 and count(OutboxMessage) == 1
    numbers = db.session.scalars(select(Appeal.sequence)).all()
    assert numbers == [1]  # the losing request gave its number back
