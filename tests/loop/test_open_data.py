"""Open data: the published file gives back the dashboard's figures; no personal data."""

import csv
import io
from datetime import date

import pytest

from reception.directory.queries import get_authority, get_calendar
from reception.extensions import db
from reception.monitoring import figures, open_data
from reception.monitoring.filters import DashboardFilters
from tests.loop.conftest import TODAY


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(open_data, "local_today", lambda: TODAY)
    return TODAY


def recompute(rows, body_code):
    """The on-time share and the rest, from the published counts alone."""
    mine = [r for r in rows if r["body"] == body_code]
    on_time = sum(int(r["answered_on_time"]) for r in mine)
    base = sum(int(r["answered"]) + int(r["open_overdue"]) for r in mine)
    resolved = sum(int(r["resolved"]) for r in mine)
    surveyed = sum(int(r["surveyed"]) for r in mine)
    lost = sum(int(r["forward_days_lost"]) for r in mine)
    return on_time / base if base else None, (resolved, surveyed), lost


def test_the_json_file_gives_back_the_dashboards_figures(client, history, today):
    response = client.get("/stats/data.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["license"]["name"] == "CC-BY-4.0"
    assert document["fields"] == list(open_data.FIELDS)
    rows = document["rows"]
    result = figures.dashboard_figures(
        db.session,
        DashboardFilters(date_from=date(2026, 11, 1), date_to=date(2026, 12, 31)),
        None,
        today=TODAY,
        calendar=get_calendar(db.session, "KZ"),
    )
    for group in result.groups:
        code = db.session.get(type(get_authority(db.session, "astana-akimat")), group.key).code
        share, (resolved, surveyed), _ = recompute(rows, code)
        assert share == pytest.approx(group.on_time_share)
        assert (resolved, surveyed) == (group.resolved, group.surveyed)
    # Hand-computed (tests/loop/conftest.py): Astana 2 / (3 + 1), its forward cost 1 day.
    share, _, lost = recompute(rows, "astana-akimat")
    assert share == pytest.approx(0.5) and lost == 1
    assert sum(r["filed"] for r in rows) == 5
    assert {r["month"] for r in rows} == {"2026-11", "2026-12"}


def test_the_csv_file_has_the_same_rows_and_public_cache_headers(client, history, today):
    response = client.get("/stats/data.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert "creativecommons.org/licenses/by/4.0" in response.headers["Link"]
    assert response.headers.get("ETag")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == open_data.FIELDS
    as_json = client.get("/stats/data.json").get_json()["rows"]
    assert [{k: str(v) for k, v in r.items()} for r in as_json] == rows
    again = client.get("/stats/data.csv", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_files_are_made_once_per_cache_time_and_keep_their_headers(
    client, history, today, app, monkeypatch
):
    """Every month of every cell, public and without a log-in: made at most once per
    RECEPTION_CACHE_SECONDS, then served from the page cache, with the ETag and a 304."""
    from reception.core import caching

    app.config["RECEPTION_CACHE_SECONDS"] = 120
    caching.page_cache(app).clear()
    made = []
    real = open_data.monthly_rows
    monkeypatch.setattr(open_data, "monthly_rows", lambda *a, **k: made.append(1) or real(*a, **k))
    try:
        first = client.get("/stats/data.json")
        second = client.get("/stats/data.json")
        assert first.get_data() == second.get_data() and len(made) == 1
        assert second.headers["Cache-Control"] == "public, max-age=3600"
        assert second.headers["ETag"] == first.headers["ETag"]
        again = client.get("/stats/data.json", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert client.get("/stats/data.csv").status_code == 200 and len(made) == 2
        client.get("/stats/data.csv")
        assert len(made) == 2
    finally:
        app.config["RECEPTION_CACHE_SECONDS"] = 0
        caching.page_cache(app).clear()


def test_no_personal_data_is_published(client, history, today):
    text = client.get("/stats/data.json").get_data(as_text=True)
    appeal = history["a1"]
    for personal in (appeal.number, appeal.iin, appeal.email, appeal.full_name, appeal.subject):
        assert personal not in text


def test_the_public_page_of_a_body(client, history, today):
    appeal = history["a1"]
    appeal.publish_consent = True
    appeal.published_subject = "Heating [published]"
    appeal.published_answer = "Repaired [published]"
    db.session.commit()
    for locale in ("kk", "ru", "en"):
        client.get(f"/lang/{locale}")
        page = client.get("/stats/bodies/astana-akimat")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Repaired [published]" in text and appeal.text not in text
        assert '<time datetime="2026-11">' in text and "<meter" in text
        assert "95%%" not in text
    assert client.get("/stats/bodies/no-such-body").status_code == 404
    district = client.get("/stats/bodies/astana-almaty-district-akimat").get_data(as_text=True)
    assert "/stats/bodies/astana-akimat" in district  # its superior body
    client.get("/lang/ru")
    assert "ноябрь 2026" in client.get("/stats/bodies/astana-akimat").get_data(as_text=True)


def test_the_stats_page_compares_bodies_with_intervals(client, history, app, monkeypatch):
    from reception.monitoring import views

    monkeypatch.setattr(views, "local_today", lambda: TODAY)
    app.config["STATS_MIN_ANSWERED"] = 4
    try:
        text = client.get("/stats").get_data(as_text=True)
    finally:
        app.config["STATS_MIN_ANSWERED"] = 10
    # Astana: 2 / 4 on time, Wilson 95% (15–85%); Almaty (1 behind its share) is left out.
    assert "50%" in text and "(15–85%)" in text
    assert "/stats/bodies/astana-akimat" in text
    assert "/stats/bodies/almaty-akimat" not in text


def test_every_published_field_is_documented():
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "open-data.md").read_text()
    documented = re.findall(r"^\| `(\w+)` \|", doc, re.M)
    assert tuple(documented) == open_data.FIELDS
