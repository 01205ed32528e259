"""Answer templates' blanks never reach the applicant; inserting a template keeps the draft;
an appeal page's forms say what is wrong beside the field (issue 15)."""

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal
from reception.domain.placeholders import find_placeholders
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def official(client):
    user = make_staff(role="official")
    login(client, user)
    return user


def test_blanks_are_bracketed_words_and_references_are_not():
    text = "Сообщаем, что [описание принятых мер]. Основание: [норма закона], см. [1] и [п. 3]."
    assert find_placeholders(text) == ["[описание принятых мер]", "[норма закона]"]
    assert find_placeholders("No blanks here.") == []
    assert find_placeholders("[Қабылданған шаралар] [Қабылданған шаралар]") == [
        "[Қабылданған шаралар]"
    ]


@given(st.text(max_size=300))
def test_finding_blanks_never_fails_and_finds_only_bracketed_words(text):
    for blank in find_placeholders(text):
        assert blank in text and blank.startswith("[") and blank.endswith("]")
        assert not any(ch.isdigit() for ch in blank)


def test_an_answer_with_a_blank_is_refused_on_the_page_naming_it(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    client.post(f"/review/appeals/{appeal.number}/actions/take")
    text = "Сообщаем, что [описание принятых мер]. Основание: ст. 89."
    response = client.post(f"/review/appeals/{appeal.number}/actions/answer", data={"text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "[описание принятых мер]" in html.split('class="error-summary"')[1]
    assert (
        'aria-invalid="true"' in html
        and 'aria-describedby="answer-text-hint answer-text-error"' in html
    )
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "in_progress"


def test_the_api_refuses_an_answer_with_a_blank_too(client):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    _, secret = create_api_key(
        db.session, name="DMS", user=make_staff(role="official"), now=datetime.now(UTC)
    )
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/appeals/{appeal.number}/actions"
    client.post(url, json={"action": "take"}, headers=headers)
    refused = client.post(
        url, json={"action": "answer", "text": "Legal basis: [provision of law]."}, headers=headers
    )
    assert refused.status_code in (400, 422)
    error = refused.get_json()["error"]
    assert error["field"] == "text" and "[provision of law]" in error["message"]


def _template_id(client, appeal, title):
    page = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    return re.search(rf'<option value="(\d+)"[^>]*>{title}', page).group(1)


def test_inserting_a_template_by_post_keeps_or_replaces_the_draft(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING, language="en")
    client.post(f"/review/appeals/{appeal.number}/actions/take")
    template = _template_id(client, appeal, "Question resolved")
    url = f"/review/appeals/{appeal.number}/actions/answer"
    added = client.post(url, data={"text": "My draft.", "template": template, "insert": "append"})
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert "My draft.\n\nDear applicant," in html
    replaced = client.post(
        url, data={"text": "My draft.", "template": template, "insert": "replace"}
    )
    body = replaced.get_data(as_text=True)
    assert "Dear applicant," in body and "My draft." not in body
    # Nothing was sent, and the form's Insert is no GET with the draft in the address.
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "in_progress"
    assert 'formmethod="get"' not in client.get(f"/review/appeals/{appeal.number}").get_data(
        as_text=True
    )


def test_preview_shows_what_the_applicant_will_receive_and_sends_nothing(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING, language="en")
    client.post(f"/review/appeals/{appeal.number}/actions/take")
    shown = client.post(
        f"/review/appeals/{appeal.number}/actions/answer",
        data={"text": "The road was repaired.", "preview": "1"},
    )
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "answer-preview" in html
    assert "What the applicant will receive" in html and "The road was repaired." in html
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "in_progress"


def test_an_action_error_is_summarised_in_the_form_without_a_flash(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    response = client.post(f"/review/appeals/{appeal.number}/actions/note", data={"text": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = html.split('id="note-errors"')[1].split("</div>")[0]
    assert 'href="#note-text"' in summary
    assert 'id="note-text-error"' in html and 'aria-invalid="true"' in html
    assert "flash--error" not in html
    # The language switch leads to the appeal page (the action's address takes only POST).
    assert f"next=/review/appeals/{appeal.number}%23action-note" in html


def test_tracking_result_language_switch_stays_on_the_result(client):
    appeal, code = make_appeal(TUESDAY_MORNING)
    html = client.post("/track", data={"number": appeal.number, "code": code}).get_data(
        as_text=True
    )
    assert f"next=/my/appeals/{appeal.number}" in html
