"""State bodies: the tree, creating and changing them, and what is refused."""

import pytest
from sqlalchemy import select

from reception.admin.models import AuditEntry
from reception.admin.services import directory as services
from reception.core.refusals import Refused
from reception.directory import queries as directory
from reception.directory.models import Authority
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING


def body_data(**overrides):
    data = {
        "code": "test-district-akimat",
        "name_kk": "Сынақ ауданының әкімдігі",
        "name_ru": "Акимат тестового района",
        "name_en": "Test District Akimat",
        "level": "district",
        "region": "KZ-71",
        "superior": "astana-akimat",
        "email": "akimat@test.kz",
        "is_active": "y",
    }
    data.update(overrides)
    return data


def authority(code):
    return db.session.scalar(select(Authority).where(Authority.code == code))


def audit_entries(entity="authority"):
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
    )


def create(**overrides):
    body = services.create_authority(
        db.session, body_data(**overrides), actor=None, now=TUESDAY_MORNING
    )
    db.session.commit()
    return body


def test_tree_shows_bodies_under_their_superior(admin_client):
    html = admin_client.get("/admin/authorities").get_data(as_text=True)
    government = html.index("Government of the Republic of Kazakhstan")
    astana = html.index("Astana City Akimat")
    district = html.index("Saryarka District Akimat, Astana")
    assert government < astana < district
    assert "└" in html  # subordinate bodies are indented
    assert 'data-label="Code"' in html and "astana-akimat" in html


def test_tree_filters_by_text_and_status(admin_client):
    create(is_active="")
    html = admin_client.get("/admin/authorities?q=TEST-district").get_data(as_text=True)
    assert "Test District Akimat" in html and "Astana City Akimat" not in html
    assert "Test District Akimat" not in admin_client.get(
        "/admin/authorities?status=active"
    ).get_data(as_text=True)
    assert "Test District Akimat" in admin_client.get(
        "/admin/authorities?status=inactive"
    ).get_data(as_text=True)


def test_administrator_creates_a_body_and_the_audit_log_records_it(admin_client, admin):
    response = admin_client.post("/admin/authorities/new", data=body_data())
    assert response.status_code == 302
    body = authority("test-district-akimat")
    assert body.superior.code == "astana-akimat" and body.region.code == "KZ-71"
    assert body.email == "akimat@test.kz" and body.is_active
    [entry] = audit_entries()
    assert entry.actor_id == admin.id and entry.action == "create"
    assert entry.entity_id == body.id
    assert entry.changes["code"] == [None, "test-district-akimat"]
    assert entry.changes["superior"] == [None, "astana-akimat"]


def test_duplicate_code_is_refused_next_to_the_field_and_the_form_kept(admin_client):
    response = admin_client.post(
        "/admin/authorities/new", data=body_data(code="Astana-Akimat", name_en="Keep me")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A state body with this code already exists." in html
    assert 'value="Keep me"' in html
    assert audit_entries() == []


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"code": ""}, "code", "This field is required."),
        ({"code": "bad code!"}, "code", "lower-case Latin letters"),
        ({"code": "x" * 65}, "code", "lower-case Latin letters"),
        ({"name_kk": "   "}, "name_kk", "This field is required."),
        ({"name_ru": ""}, "name_ru", "This field is required."),
        ({"name_en": "n" * 301}, "name_en", "300 characters or fewer"),
        ({"level": "galaxy"}, "level", "Choose the level from the list."),
        ({"region": "KZ-99"}, "region", "Choose a region from the list."),
        ({"region": ""}, "region", "Choose the region this body serves."),
        ({"level": "republic"}, "region", "whole country"),
        ({"superior": "no-such-body"}, "superior", "Choose a superior body from the list."),
        ({"email": "not-an-email"}, "email", "Enter an e-mail address like name@example.kz."),
    ],
)
def test_bad_input_is_refused_with_a_message_for_the_field(overrides, field, message):
    with pytest.raises(Refused) as refused:
        create(**overrides)
    assert message in str(refused.value.errors[field])
    db.session.rollback()
    assert authority("test-district-akimat") is None


def test_a_body_cannot_be_its_own_superior(admin_client):
    body = authority("astana-akimat")
    response = admin_client.post(
        f"/admin/authorities/{body.id}",
        data=body_data(
            code="astana-akimat", level="city", superior="astana-akimat", name_en="Astana"
        ),
    )
    assert response.status_code == 422
    assert "A body cannot be its own superior." in response.get_data(as_text=True)
    db.session.expire_all()
    assert authority("astana-akimat").superior.code == "kz-government"


def test_a_cycle_in_the_chain_of_superiors_is_refused():
    # kz-government > astana-akimat > astana-saryarka-district-akimat
    government = authority("kz-government")
    with pytest.raises(Refused) as refused:
        services.update_authority(
            db.session,
            government,
            body_data(level="republic", region="", superior="astana-saryarka-district-akimat"),
            actor=None,
            now=TUESDAY_MORNING,
        )
    assert "circle" in str(refused.value.errors["superior"])
    db.session.rollback()
    assert authority("kz-government").superior is None


def test_changing_a_body_records_old_and_new_values_and_keeps_the_code(admin_client):
    body = create()
    response = admin_client.post(
        f"/admin/authorities/{body.id}",
        data=body_data(code="forged-new-code", name_en="Renamed Akimat", email=""),
    )
    assert response.status_code == 302
    db.session.expire_all()
    body = db.session.get(Authority, body.id)
    assert body.code == "test-district-akimat" and body.name_en == "Renamed Akimat"
    assert body.email is None
    update = audit_entries()[-1]
    assert update.action == "update"
    assert update.changes == {
        "name_en": ["Test District Akimat", "Renamed Akimat"],
        "email": ["akimat@test.kz", None],
    }


def test_saving_without_changes_writes_no_audit_entry(admin_client):
    body = create()
    admin_client.post(f"/admin/authorities/{body.id}", data=body_data())
    assert [e.action for e in audit_entries()] == ["create"]


def test_deactivated_body_is_kept_but_not_offered_for_routing_or_forwarding(admin_client):
    body = create()
    response = admin_client.post(
        f"/admin/authorities/{body.id}", data=body_data(is_active=""), follow_redirects=True
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert authority("test-district-akimat").is_active is False
    assert directory.get_authority(db.session, "test-district-akimat") is None
    assert "test-district-akimat" not in {a.code for a in directory.list_authorities(db.session)}
    assert audit_entries()[-1].action == "deactivate"


def test_deactivating_a_routed_body_warns_about_its_rules(admin_client):
    almaty = authority("almaty-akimat")
    data = body_data(
        code="almaty-akimat",
        level="city",
        region="KZ-75",
        superior="kz-government",
        name_kk=almaty.name_kk,
        name_ru=almaty.name_ru,
        name_en=almaty.name_en,
        email="",
        is_active="",
    )
    html = admin_client.post(
        f"/admin/authorities/{almaty.id}", data=data, follow_redirects=True
    ).get_data(as_text=True)
    assert "1 routing rule sends appeals to this body" in html


def test_the_body_of_the_global_fallback_cannot_be_deactivated(admin_client):
    government = authority("kz-government")
    data = body_data(
        code="kz-government",
        level="republic",
        region="",
        superior="",
        name_kk=government.name_kk,
        name_ru=government.name_ru,
        name_en=government.name_en,
        email="",
        is_active="",
    )
    response = admin_client.post(f"/admin/authorities/{government.id}", data=data)
    assert response.status_code == 422
    assert "global fallback" in response.get_data(as_text=True)
    db.session.expire_all()
    assert authority("kz-government").is_active


def test_an_inactive_body_cannot_become_a_superior():
    create(code="test-inactive-akimat", is_active="")
    with pytest.raises(Refused) as refused:
        create(superior="test-inactive-akimat")
    assert "inactive" in str(refused.value.errors["superior"])


def test_names_with_html_are_shown_as_text(admin_client):
    create(name_en="<script>alert(1)</script>")
    html = admin_client.get("/admin/authorities").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("ident", ["0", "999999", "99999999999999999999999"])
def test_unknown_or_forged_ids_are_not_found(admin_client, ident):
    assert admin_client.get(f"/admin/authorities/{ident}").status_code == 404
    assert admin_client.post(f"/admin/authorities/{ident}", data=body_data()).status_code == 404
    assert admin_client.get("/admin/authorities/abc").status_code == 404


def test_a_duplicate_that_slips_past_the_check_is_refused_cleanly(admin_client, monkeypatch):
    # Two administrators saving the same code at the same moment: the database decides.
    monkeypatch.setattr(services, "_code_taken", lambda *args: False)
    response = admin_client.post(
        "/admin/authorities/new", data=body_data(code="astana-akimat"), follow_redirects=True
    )
    assert response.status_code == 200
    assert "Someone changed the same data at the same moment" in response.get_data(as_text=True)
    assert audit_entries() == []
