"""The term calculator and the explained dates over HTTP (docs/domain.md, section 11)."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal
from reception.directory.models import HolidayOverride
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_terms_json_after_the_cutoff_and_nauryz(client):
    # Art. 64, 76: 18:30:00 sharp is after the end of the working day.
    body = client.get("/terms.json?received=2025-03-19T18:30:00&kind=application").get_json()
    assert body["registered_on"] == "2025-03-20"
    assert body["due_on"] == "2025-04-15"
    steps = body["steps"]
    assert steps[0] == {
        "step": "received",
        "at": "2025-03-19T18:30:00+05:00",
        "text": "Received on March 19, 2025 at 18:30, local time.",
    }
    assert steps[1]["reason"] == "after_cutoff"
    nauryz = [s for s in steps if s["step"] == "skipped"]
    assert [s["on"] for s in nauryz] == [f"2025-03-{d}" for d in (21, 22, 23, 24, 25)]
    assert nauryz[0]["name"] == "Nowruz Holiday"
    assert steps[-1]["step"] == "due" and steps[-1]["on"] == "2025-04-15"


def test_terms_json_a_minute_before_the_cutoff_and_an_offset(client):
    before = client.get("/terms.json?received=2025-03-19T18:29:59&kind=application").get_json()
    assert before["registered_on"] == "2025-03-19"
    # 13:29 UTC is 18:29 in Almaty: the same day.
    utc = client.get("/terms.json?received=2025-03-19T13:29:00Z&kind=complaint").get_json()
    assert utc["registered_on"] == "2025-03-19"
    assert next(s for s in utc["steps"] if s["step"] == "term")["days"] == 20


def test_terms_json_names_days_in_russian_and_kazakh(client):
    url = "/terms.json?received=2025-03-19T10:00&kind=application"
    ru = client.get(url, headers={"Accept-Language": "ru"}).get_json()
    kk = client.get(url, headers={"Accept-Language": "kk"}).get_json()
    assert ru["due_on"] == kk["due_on"] == "2025-04-14"
    kk_names = {s["name"] for s in kk["steps"] if s["step"] == "skipped"}
    assert "Наурыз мейрамы" in kk_names


def test_terms_json_uses_the_administrators_overrides(client):
    plain = client.get("/terms.json?received=2026-11-17T09:00&kind=application").get_json()
    db.session.add(HolidayOverride(day=date(2026, 11, 20), kind="day_off", note="Decree 1"))
    db.session.commit()
    moved = client.get("/terms.json?received=2026-11-17T09:00&kind=application").get_json()
    assert date.fromisoformat(moved["due_on"]) > date.fromisoformat(plain["due_on"])
    override = next(s for s in moved["steps"] if s.get("reason") == "override")
    assert override["on"] == "2026-11-20" and override["name"] == "Decree 1"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "received"),
        ("received=yesterday&kind=application", "received"),
        ("received=2025-03-19&kind=application", "received"),
        ("received=1812-03-19T10:00&kind=application", "received"),
        ("received=2025-02-30T10:00&kind=application", "received"),
        ("received=2025-03-19T10:00", "kind"),
        ("received=2025-03-19T10:00&kind=poem", "kind"),
        ("received=" + "9" * 500 + "&kind=application", "received"),
    ],
)
def test_terms_json_bad_input_is_a_clear_400(client, query, field):
    response = client.get("/terms.json?" + query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["field"] == field and error["message"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(received=st.text(max_size=40), kind=st.text(max_size=20))
def test_terms_json_never_fails_on_any_input(client, received, kind):
    response = client.get("/terms.json", query_string={"received": received, "kind": kind})
    assert response.status_code in (200, 400)
    assert response.is_json


def test_terms_page_shows_the_answer_with_iso_marks(client):
    html = client.get("/terms?date=2025-03-19&time=18:30&kind=application").get_data(as_text=True)
    assert 'data-registered-on="2025-03-20"' in html and 'data-due-on="2025-04-15"' in html
    assert "Nowruz Holiday" in html and "after the end of the working day" in html


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_terms_page_in_every_language(client, lang):
    response = client.get(
        "/terms?date=2025-03-19&time=10:00&kind=application", headers={"Accept-Language": lang}
    )
    assert response.status_code == 200
    assert 'data-due-on="2025-04-14"' in response.get_data(as_text=True)


def test_terms_page_keeps_what_was_typed_and_says_what_is_wrong(client):
    response = client.get("/terms?date=2025-02-30&time=25:99&kind=poem")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="2025-02-30"' in html and "Enter a real date" in html
    assert "hours and minutes" in html and "Choose the kind of appeal" in html
    assert "data-due-on" not in html


def test_terms_page_empty_form_and_footer_link(client):
    html = client.get("/terms").get_data(as_text=True)
    assert 'name="date"' in html and "data-due-on" not in html
    assert 'href="/terms"' in client.get("/").get_data(as_text=True)


def test_terms_json_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_TERMS="2 per minute")
    browser = limited.test_client()
    url = "/terms.json?received=2025-03-19T10:00&kind=application"
    codes = [browser.get(url).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_staff_page_status_page_and_api_explain_the_term(client, app):
    head = make_staff(role="head")
    appeal, code = make_appeal(TUESDAY_MORNING)
    login(client, head)
    html = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    assert "How the due date was reached" in html
    assert "Day 1 of the term: November 18, 2026." in html
    browser = app.test_client()
    status = browser.post("/track", data={"number": appeal.number, "code": code})
    assert "How the due date was reached" in status.get_data(as_text=True)
    _, secret = create_api_key(db.session, name="DMS", user=head, now=datetime.now(UTC))
    db.session.commit()
    body = client.get(
        f"/api/v1/appeals/{appeal.number}", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    assert body["term_steps"][0]["step"] == "received"
    assert body["term_steps"][-1] == {
        "step": "due",
        "on": "2026-12-08",
        "text": "Last day of the term: December 8, 2026.",
    }


def test_art76_head_is_told_when_the_extension_lands_on_the_next_working_day(client):
    head = make_staff(role="head")
    login(client, head)
    appeal, _ = make_appeal(TUESDAY_MORNING)
    response = client.post(
        f"/review/appeals/{appeal.number}/actions/extend",
        data={"due_on": "2027-01-09", "reason": "Inspection"},  # a Saturday
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "January 9, 2027 is not a working day" in html
    assert "January 11, 2027" in html
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).due_on == date(2027, 1, 11)
    assert "not a working day; the term ends on the next working day" in html


def test_the_citizen_sees_the_forward_but_not_the_staffs_lateness_measure(client, app):
    from reception.review import services
    from tests.factories import workflow_settings

    official = make_staff(role="official")
    appeal, code = make_appeal(TUESDAY_MORNING)
    services.forward_appeal(
        db.session,
        appeal,
        actor=official,
        now=datetime(2026, 11, 23, 5, 0, tzinfo=UTC),  # after the 3 working days
        settings=workflow_settings(),
        authority="almaty-akimat",
        reason="Not ours",
    )
    db.session.commit()
    browser = app.test_client()
    status = browser.post("/track", data={"number": appeal.number, "code": code})
    html = status.get_data(as_text=True)
    assert "Forwarded to the competent body (Art. 65)" in html
    assert "The forward was late." not in html
    receiver = make_staff("almaty-akimat", email="official@almaty.kz")
    login(client, receiver)
    staff = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    assert "The forward was late." in staff
