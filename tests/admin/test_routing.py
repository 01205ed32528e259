"""Routing rules: the table, its invariants, and the "where would this appeal go?" tester."""

import re

import pytest
from sqlalchemy import func, select

from reception.admin.models import AuditEntry
from reception.admin.queries import explain_route
from reception.admin.services import routing as services
from reception.core.refusals import Refused
from reception.directory import queries as directory
from reception.directory.models import Authority, Category, Region, RoutingRule
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING


def rule_for(category_code, region_code):
    query = select(RoutingRule)
    query = query.where(
        RoutingRule.category_id.is_(None)
        if category_code is None
        else RoutingRule.category_id
        == select(Category.id).where(Category.code == category_code).scalar_subquery(),
        RoutingRule.region_id.is_(None)
        if region_code is None
        else RoutingRule.region_id
        == select(Region.id).where(Region.code == region_code).scalar_subquery(),
    )
    return db.session.scalars(query).all()


def count_rules():
    return db.session.scalar(select(func.count(RoutingRule.id)))


def routed(category_code, region_code):
    body = directory.route_appeal(
        db.session,
        directory.get_category(db.session, category_code),
        directory.get_region(db.session, region_code),
    )
    return body.code if body else None


def test_list_shows_rules_most_specific_first_with_their_kind(admin_client):
    html = admin_client.get("/admin/routing").get_data(as_text=True)
    exact = html.index(">Exact<")
    topic_wide = html.index(">Topic-wide<")
    regional = html.index(">Regional<")
    fallback = html.index(">Global fallback<")
    assert exact < topic_wide < regional < fallback


def test_list_filters_by_topic_region_and_body(admin_client):
    html = admin_client.get("/admin/routing?category=taxes").get_data(as_text=True)
    rows = html.split("<tbody>", 1)[1]
    assert "State Revenue Committee" in rows and "Almaty City Akimat" not in rows
    html = admin_client.get("/admin/routing?category=any&region=any").get_data(as_text=True)
    assert "1 rule" in html and "Global fallback" in html
    html = admin_client.get("/admin/routing?authority=almaty-akimat").get_data(as_text=True)
    assert "1 rule" in html


def test_administrator_adds_a_rule_and_appeals_follow_it(admin_client, admin):
    assert routed("land", "KZ-75") == "almaty-akimat"
    response = admin_client.post(
        "/admin/routing/new",
        data={"category": "land", "region": "KZ-75", "authority": "kz-revenue-committee"},
    )
    assert response.status_code == 302
    assert routed("land", "KZ-75") == "kz-revenue-committee"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "routing_rule"))
    assert entry.action == "create" and entry.actor_id == admin.id
    assert entry.changes == {
        "category": [None, "land"],
        "region": [None, "KZ-75"],
        "authority": [None, "kz-revenue-committee"],
    }


@pytest.mark.parametrize(
    "category, region",
    [
        ("housing-utilities", "KZ-71"),  # exact
        ("taxes", ""),  # topic-wide
        ("", "KZ-75"),  # regional
        ("", ""),  # the global fallback: NULL, NULL is not caught by the unique constraint
    ],
)
def test_a_rule_for_an_existing_pair_is_refused(admin_client, category, region):
    before = count_rules()
    response = admin_client.post(
        "/admin/routing/new",
        data={"category": category, "region": region, "authority": "almaty-akimat"},
    )
    assert response.status_code == 422
    assert "A rule for this topic and region already exists" in response.get_data(as_text=True)
    assert count_rules() == before


def test_changing_a_rule_into_an_existing_pair_is_refused():
    [rule] = rule_for("taxes", None)
    with pytest.raises(Refused) as refused:
        services.update_rule(
            db.session,
            rule,
            {"category": "", "region": "KZ-75", "authority": "kz-revenue-committee"},
            actor=None,
            now=TUESDAY_MORNING,
        )
    assert "already exists" in str(refused.value.errors["category"])


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"category": "nope", "region": "", "authority": "kz-government"}, "category", "topic"),
        ({"category": "", "region": "KZ-00", "authority": "kz-government"}, "region", "region"),
        ({"category": "land", "region": "", "authority": ""}, "authority", "Choose the state body"),
        ({"category": "land", "region": "", "authority": "ghost"}, "authority", "from the list"),
    ],
)
def test_bad_rules_are_refused_next_to_the_field(admin_client, data, field, message):
    before = count_rules()
    response = admin_client.post("/admin/routing/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and f'id="{field}-error"' in html
    assert count_rules() == before


def test_a_rule_cannot_send_appeals_to_an_inactive_body():
    db.session.add(
        Authority(
            code="test-closed-body",
            name_kk="Жабық",
            name_ru="Закрыт",
            name_en="Closed",
            level="republic",
            is_active=False,
        )
    )
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.create_rule(
            db.session,
            {"category": "land", "region": "", "authority": "test-closed-body"},
            actor=None,
            now=TUESDAY_MORNING,
        )
    assert "inactive" in str(refused.value.errors["authority"])


def test_a_rule_is_changed_and_deleted_with_an_audit_entry_each(admin_client):
    [rule] = rule_for("taxes", None)
    admin_client.post(
        f"/admin/routing/{rule.id}",
        data={"category": "taxes", "region": "", "authority": "kz-government"},
    )
    assert routed("taxes", "KZ-75") == "kz-government"
    response = admin_client.post(f"/admin/routing/{rule.id}/delete")
    assert response.status_code == 302
    assert rule_for("taxes", None) == []
    assert routed("taxes", "KZ-75") == "almaty-akimat"
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "routing_rule").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["update", "delete"]
    assert entries[0].changes == {"authority": ["kz-revenue-committee", "kz-government"]}
    assert entries[1].changes["category"] == ["taxes", None]
    assert entries[1].entity_id == rule.id


def test_the_global_fallback_cannot_be_deleted_or_narrowed(admin_client):
    [fallback] = rule_for(None, None)
    response = admin_client.post(f"/admin/routing/{fallback.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    assert rule_for(None, None) != []
    response = admin_client.post(
        f"/admin/routing/{fallback.id}",
        data={"category": "other", "region": "", "authority": "kz-government"},
    )
    assert response.status_code == 422
    assert "must stay for any topic and any region" in response.get_data(as_text=True)
    # Its body may change, to an active one.
    response = admin_client.post(
        f"/admin/routing/{fallback.id}",
        data={"category": "", "region": "", "authority": "astana-akimat"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEntry.action)) == "update"


def test_unknown_rule_is_not_found(admin_client):
    assert admin_client.get("/admin/routing/987654").status_code == 404
    assert admin_client.post("/admin/routing/987654/delete").status_code == 404


# --- The tester ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, region, authority, level",
    [
        ("housing-utilities", "KZ-71", "astana-akimat", "exact"),
        ("taxes", "KZ-75", "kz-revenue-committee", "category"),
        ("housing-utilities", "KZ-75", "almaty-akimat", "region"),
    ],
)
def test_tester_shows_the_body_and_the_level_of_the_rule(
    admin_client, category, region, authority, level
):
    response = admin_client.get(f"/admin/routing/test?category={category}&region={region}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-route-authority="{authority}"' in html
    assert f'data-route-level="{level}"' in html
    assert routed(category, region) == authority


def test_tester_falls_back_to_the_global_rule_and_names_the_skipped_ones(admin_client):
    almaty = db.session.scalar(select(Authority).where(Authority.code == "almaty-akimat"))
    almaty.is_active = False
    db.session.commit()
    html = admin_client.get("/admin/routing/test?category=land&region=KZ-75").get_data(as_text=True)
    assert 'data-route-authority="kz-government"' in html
    assert 'data-route-level="global"' in html
    assert "Skipped because their body is inactive" in html and "almaty-akimat" in html
    explanation = explain_route(
        db.session,
        directory.get_category(db.session, "land"),
        directory.get_region(db.session, "KZ-75"),
    )
    assert explanation.kind == "global" and [r.authority.code for r in explanation.skipped] == [
        "almaty-akimat"
    ]


@pytest.mark.parametrize(
    "query", ["category=&region=", "category=ghost&region=KZ-75", "category=land&region=<b>"]
)
def test_tester_explains_bad_choices(admin_client, query):
    response = admin_client.get("/admin/routing/test?" + query)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r"Choose a (topic|region) from the list", html)
    assert "<b>" not in html.split("</header>", 1)[1]
