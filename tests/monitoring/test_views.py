"""The dashboard, overdue list, CSV export and public statistics over HTTP."""

import csv
import io
from datetime import UTC, datetime, timedelta

from reception.appeals import citizen_actions
from reception.extensions import db
from reception.review import services
from tests.factories import PASSWORD, make_appeal, make_staff, make_user, store, workflow_settings


def login(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )


NOW = datetime.now(UTC)


def answered_appeals(count, **overrides):
    from reception.accounts.services import get_user_by_email

    official = get_user_by_email(db.session, "answering@example.kz") or make_staff(
        role="official", email="answering@example.kz"
    )
    appeals = []
    for _ in range(count):
        appeal, _code = make_appeal(NOW - timedelta(days=20), **overrides)
        services.answer_appeal(
            db.session,
            appeal,
            actor=official,
            now=NOW - timedelta(days=18),
            settings=workflow_settings(),
            store=store(),
            text="Dear Асқар Мұқанов, call +7 701 234 56 78. Repaired.",
        )
        appeals.append(appeal)
    db.session.commit()
    return appeals


def test_dashboard_for_admins_and_heads_only(client, app):
    make_appeal(NOW - timedelta(days=3))
    assert client.get("/monitoring/").status_code == 302
    login(client, make_staff(role="official"))
    assert client.get("/monitoring/").status_code == 403
    admin = app.test_client()
    login(admin, make_user(role="admin", email="admin@example.kz"))
    page = admin.get("/monitoring/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Astana City Akimat" in html and "chart-data" in html
    head = app.test_client()
    login(head, make_staff(role="head"))
    assert head.get("/monitoring/?group_by=week").status_code == 200


def test_bad_filters_are_explained_and_left_out(client):
    login(client, make_user(role="admin", email="admin@example.kz"))
    html = client.get(
        "/monitoring/?date_from=2026-12-01&date_to=2026-01-01&authority=nope"
        "&group_by=colour&date_to=x"
    ).get_data(as_text=True)
    assert "Unknown code nope" in html or "The start date is after the end date" in html
    assert "Unknown grouping" in html


def test_every_grouping_renders(client):
    answered_appeals(1)
    login(client, make_user(role="admin", email="admin@example.kz"))
    for dimension in ("authority", "category", "region", "kind", "channel", "week"):
        assert client.get(f"/monitoring/?group_by={dimension}").status_code == 200


def test_csv_export_streams_every_filtered_appeal_with_its_timestamps(client):
    answered_appeals(2)
    make_appeal(NOW - timedelta(days=40))
    login(client, make_user(role="admin", email="admin@example.kz"))
    response = client.get("/monitoring/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["number", "kind", "category"]
    assert len(rows) == 4
    answered = [r for r in rows[1:] if r[rows[0].index("answered_at")]]
    assert len(answered) == 2
    assert all(r[rows[0].index("working_days_to_answer")] for r in answered)
    narrowed = client.get("/monitoring/export.csv?channel=phone").get_data(as_text=True)
    assert len(narrowed.strip().splitlines()) == 1


def test_overdue_list_links_each_appeal(client):
    appeal, _ = make_appeal(NOW - timedelta(days=60))
    login(client, make_user(role="admin", email="admin@example.kz"))
    html = client.get("/monitoring/overdue?sort=authority").get_data(as_text=True)
    assert f"/review/appeals/{appeal.number}" in html


def test_public_statistics_show_only_bodies_with_enough_answers(client, app):
    answered_appeals(3)
    app.config["STATS_MIN_ANSWERED"] = 4
    try:
        assert "Astana City Akimat" not in client.get("/stats").get_data(as_text=True)
    finally:
        app.config["STATS_MIN_ANSWERED"] = 3
    try:
        html = client.get("/stats").get_data(as_text=True)
    finally:
        app.config["STATS_MIN_ANSWERED"] = 10
    assert "Astana City Akimat" in html and "100%" in html


def test_published_answers_need_consent_and_carry_no_personal_data(client):
    answered_appeals(1)  # no consent
    published = answered_appeals(1, publish_consent="y", subject="Broken lift")
    citizen_actions.rate_answer(
        db.session, published[0], actor=None, now=NOW, settings=workflow_settings(), rating=5
    )
    db.session.commit()
    html = client.get("/stats").get_data(as_text=True)
    assert html.count("Repaired.") == 1 and "Broken lift" in html
    for personal in ("Асқар", "Мұқанов", "+7 701 234 56 78", "askar@example.kz"):
        assert personal not in html
    assert "Broken <mark>lift</mark>" in client.get("/stats?q=lift").get_data(as_text=True)
    assert "Broken lift" not in client.get("/stats?q=elevator").get_data(as_text=True)
