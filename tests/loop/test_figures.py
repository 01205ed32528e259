"""The honest figures against the hand-computed history (tests/loop/conftest.py)."""

import pytest

from reception.directory.queries import get_authority, get_calendar
from reception.extensions import db
from reception.monitoring import figures
from reception.monitoring.filters import DashboardFilters
from tests.loop.conftest import DEC, NOV, TODAY


def dashboard(dimension="authority", scope=None, **filters):
    window = DashboardFilters(date_from=NOV(1), date_to=DEC(31), **filters)
    return figures.dashboard_figures(
        db.session,
        window,
        scope,
        today=TODAY,
        calendar=get_calendar(db.session, "KZ"),
        dimension=dimension,
    )


def test_wilson_interval_matches_hand_computed_values():
    low, high = figures.wilson(3, 5)
    # p = 0.6, n = 5, z = 1.96: centre 0.98416 / 1.76832, half 0.57617 / 1.76832.
    assert (round(low, 4), round(high, 4)) == (0.2307, 0.8824)
    low, high = figures.wilson(0, 10)
    assert low == 0 and round(high, 4) == 0.2775
    assert figures.wilson(0, 0) is None
    low, high = figures.wilson(10, 10)
    assert round(low, 4) == 0.7225 and high == 1


def test_on_time_share_counts_open_overdue_appeals_against_the_body(history):
    result = dashboard()
    total = result.total
    assert (total.filed, total.answered, total.answered_on_time, total.open_overdue) == (5, 4, 3, 1)
    # 3 on time / (4 answered + 1 open and overdue); the old share would say 3 / 4.
    assert total.on_time_share == pytest.approx(3 / 5)
    by_body = {g.key: g for g in result.groups}
    astana = get_authority(db.session, "astana-akimat").id
    almaty = get_authority(db.session, "almaty-akimat").id
    # a1, a2 on time, a3 late, a4 open and overdue: 2 / (3 + 1).
    assert by_body[astana].on_time_share == pytest.approx(2 / 4)
    assert by_body[almaty].on_time_share == 1
    assert by_body[astana].interval("on_time") == figures.wilson(2, 4)


def test_paused_days_apart_and_the_histogram(history):
    total = dashboard().total
    assert history["a2"].paused_days == 3
    assert (total.paused_days_sum, total.paused_appeals) == (3, 1)
    # Working days to answer, paused days excluded: 3 (a1), 3 (a2), 16 (a3), 3 (a5).
    assert total.answer_days_sum == 25
    assert total.buckets == {"0-5": 3, "6-10": 0, "11-15": 0, "16-20": 1, "21-30": 0, "31+": 0}
    assert [row[:2] for row in figures.bucket_rows(total)][0] == ("0-5", 3)


def test_repeats_and_repeat_rate(history):
    assert history["a3"].repeat_of_id == history["a2"].id
    assert [history[k].repeat_of_id for k in ("a1", "a2", "a4", "a5")] == [None] * 4
    total = dashboard().total
    # One repeat filed (a3); of the 4 answers one (a2) was followed by a repeat.
    assert total.repeats == 1 and total.answers_repeated == 1
    assert total.repeat_rate == pytest.approx(1 / 4)


def test_cost_of_misrouting_per_forwarding_body(history):
    forwarders = dashboard().forwarders
    assert [(f.key, f.forwards_made, f.forward_days_lost) for f in forwarders] == [
        ("astana-akimat", 1, 1)
    ]


def test_filters_and_groups_add_up(history):
    by_week = dashboard("week")
    assert sum(g.filed for g in by_week.groups) == 5
    assert dashboard(authority="almaty-akimat").total.filed == 1
    assert dashboard("category").total.on_time_share == pytest.approx(3 / 5)


def test_dashboard_and_its_export_show_the_honest_figures(client, history, monkeypatch):
    import csv
    import io

    from reception.monitoring import views
    from tests.factories import PASSWORD, make_user

    monkeypatch.setattr(views, "local_today", lambda: TODAY)
    make_user(role="admin", email="admin-loop@example.kz")
    client.post("/login", data={"email": "admin-loop@example.kz", "password": PASSWORD})
    args = "?date_from=2026-11-01&date_to=2026-12-31"
    page = client.get(f"/monitoring/{args}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Honest figures" in text and "60%" in text  # 3 / (4 + 1)
    assert "75%" not in text  # the old share, 3 answered on time / 4 answered, is gone
    assert '"share": 50.0' in text  # Astana in the chart: 2 / (3 + 1)
    export = client.get(f"/monitoring/figures.csv{args}")
    assert export.status_code == 200 and "no-store" in export.headers["Cache-Control"]
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(export.get_data(as_text=True)))}
    assert rows["total"]["on_time_share"] == "0.6000"
    assert rows["astana-akimat"]["forward_days_lost"] == "1"  # counted per forwarding body
    assert rows["astana-akimat"]["open_overdue"] == "1"
