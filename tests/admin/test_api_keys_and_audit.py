"""API keys (the secret shown once) and the audit log page."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from reception.accounts.apikeys import find_api_key
from reception.accounts.models import ApiKey
from reception.admin.models import AuditEntry
from reception.admin.services import holidays, templates
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_staff, make_user


def created_secret(response) -> str:
    match = re.search(r"data-api-key>(rk_[\w\-]+)<", response.get_data(as_text=True))
    assert match
    return match.group(1)


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(admin_client, admin):
    official = make_staff()
    response = admin_client.post(
        "/admin/api-keys", data={"name": "Document system", "user": official.email.upper()}
    )
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = created_secret(response)
    key = db.session.scalar(select(ApiKey))
    assert key.user_id == official.id and key.name == "Document system"
    assert secret not in key.key_hash and secret.startswith(key.prefix)
    assert find_api_key(db.session, secret) == key
    listing = admin_client.get("/admin/api-keys").get_data(as_text=True)
    assert secret not in listing and key.prefix in listing
    assert "Document system" in listing
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "create" and entry.actor_id == admin.id
    assert secret not in str(entry.changes) and entry.changes["prefix"] == [None, key.prefix]
    with admin_client.session_transaction() as session:
        assert secret not in str(dict(session))


def test_a_key_without_a_user_files_through_open311_only(admin_client):
    response = admin_client.post("/admin/api-keys", data={"name": "City app", "user": ""})
    assert response.status_code == 201
    secret = created_secret(response)
    api = admin_client.get("/api/v1/appeals", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 403


def test_a_revoked_key_stops_working(admin_client):
    secret = created_secret(admin_client.post("/admin/api-keys", data={"name": "Temp"}))
    key = db.session.scalar(select(ApiKey))
    assert admin_client.post(f"/admin/api-keys/{key.id}/revoke").status_code == 302
    db.session.expire_all()
    assert find_api_key(db.session, secret) is None
    again = admin_client.post(f"/admin/api-keys/{key.id}/revoke", follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["create", "revoke"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "n" * 201}, "200 characters or fewer"),
        ({"name": "x", "user": "nobody@example.kz"}, "No account has this e-mail address."),
        ({"name": "x", "user": "citizen@example.kz"}, "A key can act only for staff"),
        ({"name": "x", "user": "a" * 300 + "@example.kz"}, "No account has this e-mail address."),
    ],
)
def test_bad_keys_are_refused(admin_client, data, message):
    make_user(email="citizen@example.kz")
    response = admin_client.post("/admin/api-keys", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiKey)) is None


def test_a_key_cannot_act_for_a_deactivated_person(admin_client):
    official = make_staff()
    official.is_active = False
    db.session.commit()
    response = admin_client.post("/admin/api-keys", data={"name": "x", "user": official.email})
    assert response.status_code == 422 and "deactivated" in response.get_data(as_text=True)


def test_unknown_key_is_not_found(admin_client):
    assert admin_client.post("/admin/api-keys/123456/revoke").status_code == 404


# --- Audit log -------------------------------------------------------------------------


def add_overrides(n, actor=None):
    for day in range(n):
        holidays.add_holiday(
            db.session,
            {
                "day": (date(2030, 1, 1) + timedelta(days=day)).isoformat(),
                "kind": "day_off",
                "note": f"Decree {day}",
            },
            actor=actor,
            now=TUESDAY_MORNING + timedelta(minutes=day),
        )
    db.session.commit()


def test_audit_page_lists_changes_newest_first_with_who_and_what(admin_client, admin):
    add_overrides(2, actor=admin)
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert html.index("Decree 1") < html.index("Decree 0")
    assert "Әсел Әкімшілік" in html and "Calendar override" in html and "Created" in html


def test_audit_page_paginates_and_filters(admin_client):
    add_overrides(55)
    templates.create_template(
        db.session,
        {"language": "en", "title": "T", "body": "B", "is_active": "y"},
        actor=None,
        now=TUESDAY_MORNING,
    )
    db.session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "56 entries" in first and 'href="/admin/audit?page=2"' in first
    second = admin_client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "Decree 0" in second and "Decree 54" not in second
    only = admin_client.get("/admin/audit?entity=answer_template").get_data(as_text=True)
    assert "1 entry" in only
    template_id = db.session.scalar(
        select(AuditEntry.entity_id).where(AuditEntry.entity == "answer_template")
    )
    one = admin_client.get(f"/admin/audit?entity=answer_template&id={template_id}")
    assert "1 entry" in one.get_data(as_text=True)
    garbage = admin_client.get("/admin/audit?entity=<x>&id=99999999999999999999&page=-1")
    assert garbage.status_code == 200 and "56 entries" in garbage.get_data(as_text=True)


def test_audit_values_are_escaped(admin_client):
    holidays.add_holiday(
        db.session,
        {"day": "2030-01-01", "kind": "day_off", "note": "<script>alert(1)</script>"},
        actor=None,
        now=TUESDAY_MORNING,
    )
    db.session.commit()
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_refused_change_leaves_no_audit_entry(admin_client):
    admin_client.post("/admin/holidays", data={"day": "bad", "kind": "day_off", "note": "x"})
    assert db.session.scalar(select(AuditEntry)) is None
