"""Calendar overrides and answer templates."""

from datetime import date

import pytest
from sqlalchemy import select

from reception.admin.models import AuditEntry
from reception.directory.models import AnswerTemplate, HolidayOverride
from reception.directory.queries import get_calendar
from reception.extensions import db
from reception.review.services import list_answer_templates
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_appeal

DECREE = "Government Decree No. 1 of 2 January 2026"


def overrides():
    db.session.expire_all()
    return db.session.scalars(select(HolidayOverride)).all()


def test_administrator_adds_a_day_off_that_the_calendar_follows(admin_client):
    response = admin_client.post(
        "/admin/holidays", data={"day": "2026-11-18", "kind": "day_off", "note": DECREE}
    )
    assert response.status_code == 302
    [override] = overrides()
    assert override.day == date(2026, 11, 18) and override.note == DECREE
    assert not get_calendar(db.session, "KZ").is_working_day(date(2026, 11, 18))
    html = admin_client.get("/admin/holidays").get_data(as_text=True)
    assert DECREE in html and "Day off" in html
    entry = db.session.scalar(select(AuditEntry))
    assert entry.entity == "holiday_override" and entry.changes["day"] == [None, "2026-11-18"]


def test_a_working_saturday_is_added_too(admin_client):
    admin_client.post(
        "/admin/holidays", data={"day": "2026-11-21", "kind": "working_day", "note": DECREE}
    )
    assert get_calendar(db.session, "KZ").is_working_day(date(2026, 11, 21))


def test_a_second_override_for_the_same_date_is_refused(admin_client):
    data = {"day": "2026-11-18", "kind": "day_off", "note": DECREE}
    admin_client.post("/admin/holidays", data=data)
    response = admin_client.post("/admin/holidays", data={**data, "kind": "working_day"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This date already has an override." in html
    assert 'value="2026-11-18"' in html
    assert [o.kind for o in overrides()] == ["day_off"]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"day": "", "kind": "day_off", "note": DECREE}, "day", "Enter the date."),
        ({"day": "2026-02-30", "kind": "day_off", "note": DECREE}, "day", "a real date"),
        ({"day": "18.11.2026", "kind": "day_off", "note": DECREE}, "day", "a real date"),
        ({"day": "1800-01-01", "kind": "day_off", "note": DECREE}, "day", "a real date"),
        ({"day": "2026-11-18", "kind": "holiday", "note": DECREE}, "kind", "day off or a working"),
        ({"day": "2026-11-18", "kind": "day_off", "note": ""}, "note", "required"),
        ({"day": "2026-11-18", "kind": "day_off", "note": "d" * 301}, "note", "300 characters"),
    ],
)
def test_bad_overrides_are_refused_next_to_the_field(admin_client, data, field, message):
    response = admin_client.post("/admin/holidays", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and f'id="{field}-error"' in html
    assert overrides() == []


def test_removing_an_override_is_audited(admin_client):
    admin_client.post(
        "/admin/holidays", data={"day": "2026-11-18", "kind": "day_off", "note": DECREE}
    )
    [override] = overrides()
    ident = override.id
    assert admin_client.post(f"/admin/holidays/{ident}/delete").status_code == 302
    assert overrides() == []
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["create", "delete"]
    assert admin_client.post(f"/admin/holidays/{ident}/delete").status_code == 404


# --- Answer templates ------------------------------------------------------------------


def template_data(**overrides):
    data = {
        "category": "housing-utilities",
        "language": "ru",
        "title": "Тестовый шаблон",
        "body": "Уважаемый заявитель!\n\n[ответ]",
        "is_active": "y",
    }
    data.update(overrides)
    return data


def template(title="Тестовый шаблон"):
    db.session.expire_all()
    return db.session.scalar(select(AnswerTemplate).where(AnswerTemplate.title == title))


def test_administrator_creates_a_template_officials_are_offered(admin_client):
    assert admin_client.post("/admin/templates/new", data=template_data()).status_code == 302
    created = template()
    assert created.category.code == "housing-utilities" and created.body.endswith("[ответ]")
    appeal, _ = make_appeal(TUESDAY_MORNING, language="ru")
    assert created.id in {t.id for t in list_answer_templates(db.session, appeal)}


def test_list_filters_by_topic_and_language(admin_client):
    admin_client.post("/admin/templates/new", data=template_data())
    html = admin_client.get("/admin/templates?category=housing-utilities").get_data(as_text=True)
    assert "Тестовый шаблон" in html and "Разъяснение" not in html
    html = admin_client.get("/admin/templates?category=general&language=ru").get_data(as_text=True)
    assert "Разъяснение" in html and "Тестовый шаблон" not in html and "Түсіндірме" not in html
    html = admin_client.get("/admin/templates?language=kk").get_data(as_text=True)
    assert "Түсіндірме" in html and "Разъяснение" not in html


def test_a_deactivated_template_is_no_longer_offered(admin_client):
    admin_client.post("/admin/templates/new", data=template_data(category=""))
    created = template()
    response = admin_client.post(
        f"/admin/templates/{created.id}", data=template_data(category="", is_active="")
    )
    assert response.status_code == 302
    appeal, _ = make_appeal(TUESDAY_MORNING, language="ru")
    assert created.id not in {t.id for t in list_answer_templates(db.session, appeal)}
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "answer_template")
    ).all()
    assert actions == ["create", "deactivate"]


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"category": "ghost"}, "category", "Choose a topic from the list."),
        ({"language": "de"}, "language", "Choose the language of the template."),
        ({"title": ""}, "title", "This field is required."),
        ({"title": "t" * 201}, "title", "200 characters or fewer"),
        ({"body": " \n "}, "body", "This field is required."),
        ({"body": "b" * 10_001}, "body", "10000 characters or fewer"),
    ],
)
def test_bad_templates_are_refused_and_the_text_kept(admin_client, overrides, field, message):
    data = template_data(**overrides)
    response = admin_client.post("/admin/templates/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and f'id="{field}-error"' in html
    assert "[ответ]" in html or field == "body"
    assert template() is None


def test_template_text_with_html_is_escaped(admin_client):
    admin_client.post(
        "/admin/templates/new", data=template_data(title="<img src=x onerror=alert(1)>")
    )
    html = admin_client.get("/admin/templates").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
