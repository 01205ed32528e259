"""Collective appeals (Art. 22): several applicants sign one appeal; one represents them."""

import re

import pytest
from sqlalchemy import select

from reception.appeals.models import Appeal, CoApplicant
from reception.appeals.publishing import preview_answer
from reception.appeals.submission import Submission
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, VALID_IIN, appeal_data, make_appeal, make_staff, make_user

CO = {
    "co_applicants-0-full_name": "Гүлнар Сейітова",
    "co_applicants-0-email": "gulnar@example.kz",
    "co_applicants-0-iin": VALID_IIN,
    "co_applicants-1-full_name": "Ерлан Бекұлы",
    "co_applicants-1-phone": "+7 702 111 22 33",
    # row 2 left blank: dropped
    "co_applicants-3-full_name": "Дина Омарова",
    "co_applicants-3-email": "dina@example.kz",
}


def login(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def messages_to(address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)).all()


def test_art22_submission_reads_the_rows_in_order_and_drops_blank_ones():
    sub = Submission.from_mapping({**appeal_data(), **CO, "co_applicants-2-email": " "})
    assert [c.full_name for c in sub.co_applicants] == [
        "Гүлнар Сейітова",
        "Ерлан Бекұлы",
        "Дина Омарова",
    ]
    assert [c.row for c in sub.co_applicants] == [0, 1, 3]


def test_art22_json_list_of_co_applicants_is_read_too():
    sub = Submission.from_mapping({**appeal_data(), "co_applicants": [{"full_name": "А Б"}, 7]})
    assert [c.full_name for c in sub.co_applicants] == ["А Б"]


def test_art22_form_shows_three_empty_rows_and_files_with_co_applicants(client):
    form = client.get("/appeals/new").get_data(as_text=True)
    assert "Collective appeal" in form
    assert 'name="co_applicants-2-full_name"' in form
    assert 'name="co_applicants-3-full_name"' not in form
    response = client.post("/appeals/new", data={**appeal_data(), **CO})
    assert response.status_code == 302, response.get_data(as_text=True)
    appeal = db.session.scalar(select(Appeal))
    assert [(c.position, c.full_name) for c in appeal.co_applicants] == [
        (1, "Гүлнар Сейітова"),
        (2, "Ерлан Бекұлы"),
        (3, "Дина Омарова"),
    ]
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Co-applicants" in receipt
    for name in ("Гүлнар Сейітова", "Ерлан Бекұлы", "Дина Омарова"):
        assert name in receipt
    assert "gulnar@example.kz" not in receipt


def test_art22_more_rows_keeps_everything_typed_and_files_nothing(client):
    data = {**appeal_data(), **CO}
    response = client.post("/appeals/new", data={**data, "more_co_applicants": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert db.session.scalar(select(Appeal)) is None
    assert 'name="co_applicants-8-full_name"' in page
    assert 'name="co_applicants-9-full_name"' not in page
    assert 'value="Гүлнар Сейітова"' in page and 'value="dina@example.kz"' in page
    assert 'value="No heating at Kenesary 40"' in page


def test_art22_errors_are_shown_per_row_and_nothing_is_lost(client):
    bad = {
        **appeal_data(),
        "co_applicants-0-full_name": "Гүлнар Сейітова",
        "co_applicants-0-iin": "900101300018",
        "co_applicants-2-email": "not-an-address",
        "co_applicants-3-full_name": "Дина Омарова",
        "co_applicants-3-email": "dina@",
    }
    response = client.post("/appeals/new", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert db.session.scalar(select(Appeal)) is None
    assert 'id="co_applicants-0-iin-error"' in page
    assert 'id="co_applicants-2-full_name-error"' in page
    assert 'id="co_applicants-2-email-error"' in page
    assert 'id="co_applicants-3-email-error"' in page
    assert 'id="co_applicants-1-full_name-error"' not in page
    assert "check digit" in page and 'href="#co_applicants-0-iin"' in page
    assert 'value="Гүлнар Сейітова"' in page and 'value="not-an-address"' in page
    assert 'value="dina@"' in page and 'value="Дина Омарова"' in page


def test_art22_errors_are_in_the_pages_language(client):
    response = client.post(
        "/appeals/new",
        data={**appeal_data(), "co_applicants-0-iin": "12"},
        headers={"Accept-Language": "ru-RU,ru;q=0.9"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and '<html lang="ru">' in page
    assert 'id="co_applicants-0-full_name-error"' in page
    assert "Обязательное поле" in page or "обязательн" in page.lower()
    assert "ИИН" in page


def test_art22_at_most_the_configured_number_of_co_applicants(app):
    app.config["RECEPTION_MAX_CO_APPLICANTS"] = 2
    try:
        from reception.core.refusals import Refused

        with pytest.raises(Refused) as refused:
            make_appeal(TUESDAY_MORNING, **CO)
        assert "co_applicants" in refused.value.errors
    finally:
        app.config["RECEPTION_MAX_CO_APPLICANTS"] = 50


def test_art22_operator_files_a_collective_appeal_without_email(client):
    operator = make_user(
        role="operator", email="operator@example.kz", authority_code="astana-akimat"
    )
    login(client, operator)
    form = client.get("/appeals/new").get_data(as_text=True)
    assert 'name="co_applicants-0-full_name"' in form
    response = client.post("/appeals/new", data={**appeal_data(email=""), **CO, "channel": "paper"})
    assert response.status_code == 302, response.get_data(as_text=True)
    appeal = db.session.scalar(select(Appeal))
    assert appeal.channel == "paper" and len(appeal.co_applicants) == 3
    # Only the co-applicants with an e-mail are told; the applicant has none.
    assert {m.recipient for m in db.session.scalars(select(OutboxMessage))} == {
        "gulnar@example.kz",
        "dina@example.kz",
    }


def test_art22_every_co_applicant_with_email_gets_each_public_notice_once_without_the_code(
    client,
):
    appeal, code = make_appeal(TUESDAY_MORNING, language="kk", **CO)
    number = appeal.number
    applicant = messages_to("askar@example.kz")
    assert len(applicant) == 1 and code in applicant[0].body_text
    for address, name in (
        ("gulnar@example.kz", "Гүлнар Сейітова"),
        ("dina@example.kz", "Дина Омарова"),
    ):
        (message,) = messages_to(address)
        assert message.template == "appeal_registered"
        assert re.fullmatch(r"co:\d+:register", message.dedupe_key)
        assert number in message.body_text and code not in message.body_text
        assert code not in message.body_html and name in message.body_text
        assert "Тіркеу нөмірі" in message.body_text  # the appeal's language
    official = make_staff(role="official")
    login(client, official)
    client.post(f"/review/appeals/{number}/actions/take")
    client.post(f"/review/appeals/{number}/actions/answer", data={"text": "Отопление включено."})
    for address in ("gulnar@example.kz", "dina@example.kz", "askar@example.kz"):
        sent = messages_to(address)
        keys = [m.dedupe_key for m in sent if m.dedupe_key]
        assert len(keys) == len(set(keys))
        assert all(code not in m.body_text for m in sent) or address == "askar@example.kz"
    updates = [m for m in messages_to("dina@example.kz") if m.template == "appeal_update"]
    applicant_updates = [
        m for m in messages_to("askar@example.kz") if m.template == "appeal_update"
    ]
    assert len(updates) == len(applicant_updates) >= 1


def test_art22_staff_page_lists_co_applicants_with_their_contacts(client):
    appeal, _ = make_appeal(TUESDAY_MORNING, **CO)
    official = make_staff(role="official")
    login(client, official)
    page = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    assert "Co-applicants" in page
    assert "Гүлнар Сейітова" in page and "gulnar@example.kz" in page and VALID_IIN in page


def test_art22_public_pages_never_show_co_applicants(client):
    appeal, _ = make_appeal(
        TUESDAY_MORNING, subject="Отопление у Дина Омарова и соседей", publish_consent=True, **CO
    )
    assert "Омарова" not in appeal.published_subject
    preview = preview_answer(appeal, "Ответ для Гүлнар Сейітова и Ерлан Бекұлы.")
    assert "Сейітова" not in preview.published and "Бекұлы" not in preview.published


def test_art22_api_appeal_lists_co_applicants_names_and_whether_notified(app, client):
    appeal, _ = make_appeal(TUESDAY_MORNING, **CO)
    from reception.api.v1 import appeal_co_applicants

    assert appeal_co_applicants(appeal) == [
        {"full_name": "Гүлнар Сейітова", "notified_by_email": True},
        {"full_name": "Ерлан Бекұлы", "notified_by_email": False},
        {"full_name": "Дина Омарова", "notified_by_email": True},
    ]


def test_art22_co_applicants_rows_are_kept_with_their_appeal():
    appeal, _ = make_appeal(TUESDAY_MORNING, **CO)
    rows = db.session.scalars(select(CoApplicant).order_by(CoApplicant.position)).all()
    assert [r.appeal_id for r in rows] == [appeal.id] * 3
    assert rows[0].iin == VALID_IIN and rows[1].email is None
    assert re.fullmatch(r"\+7 702 111 22 33", rows[1].phone)


def test_art22_api_detail_carries_co_applicants_and_open311_does_not(client):
    from datetime import UTC, datetime

    from reception.accounts.apikeys import create_api_key

    appeal, _ = make_appeal(TUESDAY_MORNING, **CO)
    _, secret = create_api_key(
        db.session, name="DMS", user=make_staff(role="official"), now=datetime.now(UTC)
    )
    db.session.commit()
    detail = client.get(
        f"/api/v1/appeals/{appeal.number}", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    assert detail["co_applicants"][0] == {
        "full_name": "Гүлнар Сейітова",
        "notified_by_email": True,
    }
    assert "gulnar@example.kz" not in str(detail["co_applicants"])
    public = client.get("/open311/v2/requests.json").get_data(as_text=True)
    assert "Сейітова" not in public and "Омарова" not in public
