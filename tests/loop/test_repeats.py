"""Repeat appeals: same applicant, same topic, within 12 months of an answer."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reception.accounts.apikeys import create_api_key
from reception.appeals.repeats import months_before
from reception.extensions import db
from tests.factories import make_appeal, make_staff
from tests.loop.conftest import DEC, NOV, answer, at


@pytest.fixture
def earlier():
    official = make_staff(role="official")
    appeal, _ = make_appeal(at(NOV(17)))
    answer(appeal, official, NOV(20))
    db.session.commit()
    return appeal


def test_same_iin_same_topic_after_an_answer_is_a_repeat(earlier):
    again, _ = make_appeal(at(DEC(1)), email="new-address@example.kz")
    assert again.repeat_of_id == earlier.id


def test_other_topic_other_person_or_before_the_answer_is_not(earlier):
    assert make_appeal(at(DEC(1)), category="land")[0].repeat_of_id is None
    assert make_appeal(at(DEC(1)), iin="", email="x@example.kz")[0].repeat_of_id is None
    assert make_appeal(at(NOV(18)))[0].repeat_of_id is None  # before the answer


def test_without_an_iin_the_email_decides():
    official = make_staff(role="official")
    first, _ = make_appeal(at(NOV(17)), iin="", email="Aigul@Example.kz")
    answer(first, official, NOV(20))
    db.session.commit()
    assert make_appeal(at(DEC(1)), iin="", email="aigul@example.kz")[0].repeat_of_id == first.id


def test_only_within_the_repeat_window(earlier, app):
    late = datetime(2027, 11, 21, 4, tzinfo=UTC)  # a year and a day after the answer
    assert make_appeal(late)[0].repeat_of_id is None
    app.config["RECEPTION_REPEAT_MONTHS"] = 0
    try:
        assert make_appeal(at(DEC(1)))[0].repeat_of_id is None
    finally:
        app.config["RECEPTION_REPEAT_MONTHS"] = 12
    assert make_appeal(datetime(2027, 11, 19, 4, tzinfo=UTC))[0].repeat_of_id == earlier.id


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31)))
def test_months_before_is_never_later_and_keeps_the_month_count(moment):
    earlier = months_before(moment, 12)
    assert earlier < moment
    assert (moment.year - earlier.year) == 1 and earlier.month == moment.month


def test_the_api_names_the_earlier_appeal(client, earlier):
    staff = make_staff(role="official", email="api-official@example.kz")
    _, secret = create_api_key(db.session, name="DMS", user=staff, now=datetime.now(UTC))
    db.session.commit()
    again, _ = make_appeal(at(DEC(1)))
    response = client.get(
        f"/api/v1/appeals/{again.number}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    assert response.get_json()["repeat_of"] == earlier.number
    first = client.get(
        f"/api/v1/appeals/{earlier.number}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert first.get_json()["repeat_of"] is None


def test_the_staff_page_and_queue_show_the_repeat(client, earlier):
    from tests.factories import PASSWORD

    again, _ = make_appeal(at(DEC(1)))
    make_staff(role="head", email="head-r@example.kz")
    client.post("/login", data={"email": "head-r@example.kz", "password": PASSWORD})
    page = client.get(f"/review/appeals/{again.number}").get_data(as_text=True)
    assert "Repeat appeal" in page and earlier.number in page
    queue = client.get("/review/").get_data(as_text=True)
    assert "Repeat appeal" in queue


def test_the_api_list_names_earlier_appeals_in_one_query(client):
    from sqlalchemy import event

    official = make_staff(role="official")
    staff = make_staff(role="official", email="api-list@example.kz")
    _, secret = create_api_key(db.session, name="DMS", user=staff, now=datetime.now(UTC))
    numbers = set()
    for n in range(3):
        first, _ = make_appeal(at(NOV(17)), iin="", email=f"person{n}@example.kz")
        answer(first, official, NOV(20))
        db.session.commit()
        numbers.add(first.number)
        make_appeal(at(DEC(1)), iin="", email=f"person{n}@example.kz")
    db.session.expunge_all()
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {secret}"})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    items = response.get_json()["items"]
    assert {i["repeat_of"] for i in items} == numbers
    # The count, the page and the numbers of the earlier appeals: no query per appeal.
    assert sum("FROM appeals" in s for s in statements) == 3
