"""The officials' pages and the citizen's steps over HTTP."""

import re

import pytest
from sqlalchemy import select

from reception.appeals.citizen_actions import CITIZEN_ACTIONS
from reception.appeals.models import Appeal
from reception.extensions import db
from reception.review.actions import STAFF_ACTIONS
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, appeal_data, make_appeal, make_staff, make_user


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def official(client):
    user = make_staff(role="official")
    login(client, user)
    return user


def test_queue_lists_only_the_officials_authority_sorted_by_due_date(client, official):
    first, _ = make_appeal(TUESDAY_MORNING, subject="Older")
    elsewhere, _ = make_appeal(TUESDAY_MORNING, region="KZ-79", subject="Shymkent")
    html = client.get("/review/").get_data(as_text=True)
    assert first.number in html and elsewhere.number not in html


def test_queue_filters_and_search(client, official):
    heating, _ = make_appeal(TUESDAY_MORNING, subject="Heating", full_name="Серік Ахметов")
    road, _ = make_appeal(
        TUESDAY_MORNING, subject="Road", category="roads-transport", kind="proposal"
    )

    def numbers(query):
        html = client.get("/review/?" + query).get_data(as_text=True)
        return set(re.findall(r"RC-\d{4}-\d{8}", html))

    assert numbers("q=ахмет") == {heating.number}
    assert numbers("q=RC-2026-0000000") == {heating.number, road.number}
    assert numbers("category=roads-transport") == {road.number}
    assert numbers("kind=proposal") == {road.number}
    assert numbers("executor=me") == set()
    assert numbers("status=answered") == set()
    assert numbers("q=100%25") == set()


def test_bad_filters_get_a_message_not_an_error(client, official):
    response = client.get("/review/?status=lost&due_within=-3&kind=poem&page=abc")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Unknown status" in html and "working days from 0 to 60" in html


def test_overdue_and_due_soon_rows_stand_out(client, official):
    make_appeal(TUESDAY_MORNING.replace(month=9))  # long overdue
    html = client.get("/review/").get_data(as_text=True)
    assert 'class="is-overdue"' in html


def test_queue_paginates(client, official, app):
    app.config["REVIEW_PAGE_SIZE"] = 2
    try:
        for _ in range(5):
            make_appeal(TUESDAY_MORNING)
        html = client.get("/review/?page=3").get_data(as_text=True)
    finally:
        app.config["REVIEW_PAGE_SIZE"] = 25
    assert len(set(re.findall(r"RC-\d{4}-\d{8}", html))) == 1
    assert 'aria-current="page">3<' in html


def test_appeal_page_shows_applicant_timeline_and_allowed_actions_only(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    html = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    assert appeal.full_name in html and appeal.text in html and "Appeal registered" in html
    for code in ("take", "answer", "forward", "request_info", "note", "mark_duplicate"):
        assert f"/actions/{code}" in html
    for code in ("assign", "extend", "return", "terminate"):  # the head's
        assert f"/actions/{code}" not in html


def test_official_takes_and_answers_through_the_pages(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    assert client.post(f"/review/appeals/{appeal.number}/actions/take").status_code == 302
    response = client.post(
        f"/review/appeals/{appeal.number}/actions/answer", data={"text": "Restored."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "answered"


def test_refused_action_keeps_what_was_typed_and_says_why(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    response = client.post(
        f"/review/appeals/{appeal.number}/actions/forward",
        data={"authority": "astana-akimat", "reason": "Мой текст"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already with this body" in html and "Мой текст" in html


def test_action_not_allowed_in_this_status_is_a_409(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    client.post(f"/review/appeals/{appeal.number}/actions/answer", data={"text": "Done"})
    response = client.post(f"/review/appeals/{appeal.number}/actions/take")
    assert response.status_code == 409
    assert "not available" in response.get_data(as_text=True)


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_official_of_another_authority_cannot_see_or_touch_the_appeal(client, action):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    login(client, make_staff("almaty-akimat", role="head", email="head@almaty.kz"))
    assert client.get(f"/review/appeals/{appeal.number}").status_code == 404
    response = client.post(
        f"/review/appeals/{appeal.number}/actions/{action}",
        data={"text": "x", "reason": "x", "authority": "shymkent-akimat"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    stored = db.session.get(Appeal, appeal.id)
    assert stored.status == "registered" and len(stored.events) == 1


def test_citizens_and_visitors_cannot_open_the_review_pages(client):
    assert client.get("/review/").status_code == 302  # to the log-in page
    login(client, make_user(email="citizen@example.kz"))
    assert client.get("/review/").status_code == 403


def test_operator_registers_a_phone_appeal_for_a_citizen(client):
    operator = make_user(
        role="operator", email="operator@example.kz", authority_code="astana-akimat"
    )
    login(client, operator)
    form = client.get("/appeals/new").get_data(as_text=True)
    assert 'name="channel"' in form
    response = client.post("/appeals/new", data={**appeal_data(), "channel": "phone"})
    assert response.status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert appeal.channel == "phone" and appeal.registered_by_id == operator.id
    assert appeal.citizen_id is None
    # The citizen still gets the e-mail, and the operator sees it in their list.
    assert appeal.email == "askar@example.kz"
    assert appeal.number in client.get("/review/").get_data(as_text=True)


def test_citizen_form_has_no_channel_choice(client):
    assert 'name="channel"' not in client.get("/appeals/new").get_data(as_text=True)


def track(client, appeal, code):
    client.post("/track", data={"number": appeal.number, "code": code})


def test_citizen_replies_rates_and_complains_from_the_tracking_page(client, app):
    appeal, code = make_appeal(TUESDAY_MORNING)
    staff = app.test_client()
    login(staff, make_staff(role="official"))
    staff.post(
        f"/review/appeals/{appeal.number}/actions/request_info",
        data={"text": "Which flat?", "reply_days": "5"},
    )
    track(client, appeal, code)
    page = client.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert "Which flat?" in page and "/actions/reply" in page
    empty = client.post(f"/my/appeals/{appeal.number}/actions/reply", data={"text": " "})
    assert empty.status_code == 422
    assert (
        client.post(
            f"/my/appeals/{appeal.number}/actions/reply", data={"text": "Flat 12"}
        ).status_code
        == 302
    )
    staff.post(f"/review/appeals/{appeal.number}/actions/answer", data={"text": "Fixed on Monday."})
    page = client.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert "Fixed on Monday." in page and "/actions/rate" in page and "/actions/complain" in page
    response = client.post(
        f"/my/appeals/{appeal.number}/actions/complain", data={"text": "It is not fixed."}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/receipt")
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-access-code" in receipt
    assert (
        client.post(
            f"/my/appeals/{appeal.number}/actions/rate", data={"rating": "2", "comment": "Slow"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "closed"


def test_internal_notes_never_reach_the_citizen(client, app):
    appeal, code = make_appeal(TUESDAY_MORNING)
    staff = app.test_client()
    login(staff, make_staff(role="official"))
    staff.post(f"/review/appeals/{appeal.number}/actions/note", data={"text": "Secret remark"})
    track(client, appeal, code)
    assert "Secret remark" not in client.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)


@pytest.mark.parametrize("action", CITIZEN_ACTIONS)
def test_citizen_actions_need_access_to_the_appeal(client, action):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    response = client.post(f"/my/appeals/{appeal.number}/actions/{action}", data={"text": "x"})
    assert response.status_code == 404


def test_head_extends_and_returns_through_the_pages(client):
    head = make_staff(role="head")
    login(client, head)
    appeal, _ = make_appeal(TUESDAY_MORNING)
    page = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    assert "/actions/extend" in page and "/actions/assign" in page
    too_far = client.post(
        f"/review/appeals/{appeal.number}/actions/extend",
        data={"due_on": "2030-01-01", "reason": "Inspection"},
    )
    assert too_far.status_code == 422 and "at most 2 months" in too_far.get_data(as_text=True)
    ok = client.post(
        f"/review/appeals/{appeal.number}/actions/extend",
        data={"due_on": "2027-01-11", "reason": "Inspection"},
    )
    assert ok.status_code == 302
    unconfirmed = client.post(
        f"/review/appeals/{appeal.number}/actions/return",
        data={"ground": "insulting_language", "comment": ""},
    )
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.get_data(as_text=True)
    client.post(
        f"/review/appeals/{appeal.number}/actions/return",
        data={"ground": "insulting_language", "comment": "", "confirm": "yes"},
    )
    db.session.expire_all()
    stored = db.session.get(Appeal, appeal.id)
    assert stored.status == "returned" and stored.extensions_count == 1


def test_answer_template_is_inserted_without_javascript(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING, language="en")
    page = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    template_id = re.search(r'<option value="(\d+)"[^>]*>Question resolved', page).group(1)
    filled = client.get(f"/review/appeals/{appeal.number}?template={template_id}")
    assert "Your appeal has been considered." in filled.get_data(as_text=True)


def test_withdrawal_asks_the_citizen_to_confirm(client):
    appeal, code = make_appeal(TUESDAY_MORNING)
    track(client, appeal, code)
    refused = client.post(
        f"/my/appeals/{appeal.number}/actions/withdraw", data={"reason": "Solved"}
    )
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    assert "Solved" in refused.get_data(as_text=True)
    done = client.post(
        f"/my/appeals/{appeal.number}/actions/withdraw", data={"reason": "Solved", "confirm": "yes"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "withdrawn"
