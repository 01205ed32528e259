"""Topics: names in three languages, a special term, order, switching off."""

import pytest
from sqlalchemy import select

from reception.admin.models import AuditEntry
from reception.directory import queries as directory
from reception.directory.models import Category
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_appeal


def topic_data(**overrides):
    data = {
        "code": "test-topic",
        "name_kk": "Сынақ тақырыбы",
        "name_ru": "Тестовая тема",
        "name_en": "Test topic",
        "default_term_days": "",
        "position": "50",
        "is_active": "y",
    }
    data.update(overrides)
    return data


def topic(code="test-topic"):
    db.session.expire_all()
    return db.session.scalar(select(Category).where(Category.code == code))


def test_list_shows_every_topic_with_its_term(admin_client):
    html = admin_client.get("/admin/categories").get_data(as_text=True)
    assert "housing-utilities" in html and "Жилищно-коммунальное хозяйство" in html
    assert "the kind's term" in html


def test_administrator_creates_a_topic_offered_on_the_appeal_form(admin_client):
    response = admin_client.post("/admin/categories/new", data=topic_data(default_term_days="5"))
    assert response.status_code == 302
    created = topic()
    assert created.default_term_days == 5 and created.position == 50
    assert directory.get_category(db.session, "test-topic") is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "category"))
    assert entry.action == "create" and entry.changes["default_term_days"] == [None, 5]
    assert 'value="test-topic"' in admin_client.get("/appeals/new").get_data(as_text=True)


def test_a_topic_term_sets_the_due_date_of_new_appeals(admin_client):
    admin_client.post("/admin/categories/new", data=topic_data(default_term_days="5"))
    appeal, _ = make_appeal(TUESDAY_MORNING, category="test-topic")
    assert appeal.due_on.isoformat() == "2026-11-24"  # 5 working days after 17 November


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"code": "housing"}, "code", "A topic with this code already exists."),
        ({"code": "Тема"}, "code", "lower-case Latin letters"),
        ({"name_en": ""}, "name_en", "This field is required."),
        ({"name_kk": "x" * 201}, "name_kk", "200 characters or fewer"),
        ({"default_term_days": "0"}, "default_term_days", "from 1 to 15"),
        ({"default_term_days": "16"}, "default_term_days", "from 1 to 15"),
        ({"default_term_days": "-3"}, "default_term_days", "from 1 to 15"),
        ({"default_term_days": "٥"}, "default_term_days", "from 1 to 15"),
        ({"position": "ten"}, "position", "from 0 to 9999"),
        ({"position": "10000"}, "position", "from 0 to 9999"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(admin_client, overrides, field, message):
    response = admin_client.post("/admin/categories/new", data=topic_data(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html.replace("&#39;", "'")
    assert f'id="{field}-error"' in html
    assert topic() is None


def test_blank_term_means_the_kinds_term(admin_client):
    admin_client.post("/admin/categories/new", data=topic_data(default_term_days="7"))
    created = topic()
    admin_client.post(f"/admin/categories/{created.id}", data=topic_data(default_term_days=""))
    assert topic().default_term_days is None


def test_deactivated_topic_is_kept_but_no_longer_offered(admin_client):
    admin_client.post("/admin/categories/new", data=topic_data())
    created = topic()
    response = admin_client.post(
        f"/admin/categories/{created.id}", data=topic_data(code="forged", is_active="")
    )
    assert response.status_code == 302
    assert topic().is_active is False and topic().code == "test-topic"
    assert directory.get_category(db.session, "test-topic") is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "category").order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "deactivate"]


def test_unknown_topic_is_not_found(admin_client):
    assert admin_client.get("/admin/categories/424242").status_code == 404
