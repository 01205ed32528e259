"""The figures from the daily rollups are exactly those of the live queries on the appeals;
the rollups kept flush by flush equal those rebuilt from the appeals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text

from reception.extensions import db
from reception.monitoring import queries, rollups
from reception.monitoring.filters import DashboardFilters
from reception.review import services
from tests.factories import make_appeal, make_staff, store, workflow_settings
from tests.monitoring.test_figures import DEC, NOV, TODAY, at, history  # noqa: F401 (fixture)


@pytest.fixture
def more(history):  # noqa: F811
    """The hand-computed history, and appeals of other kinds, topics, regions and channels."""
    settings = workflow_settings()
    official = make_staff(role="official", email="second.official@example.kz")
    complaint, _ = make_appeal(at(NOV(19)), kind="complaint", category="roads-transport")
    services.take_appeal(db.session, complaint, actor=official, now=at(NOV(20)), settings=settings)
    proposal, _ = make_appeal(at(NOV(24)), kind="proposal", region="KZ-79")
    shymkent = make_staff(
        role="head", authority_code=proposal.authority.code, email="shymkent@example.kz"
    )
    services.extend_deadline(
        db.session,
        proposal,
        actor=shymkent,
        now=at(NOV(25)),
        settings=settings,
        due_on=DEC(29),
        reason="An inspection is needed",
    )
    db.session.commit()
    assert proposal.extensions_count == 1 and complaint.status == "in_progress"
    answered_late, _ = make_appeal(at(DEC(2)), category="roads-transport")
    services.answer_appeal(
        db.session,
        answered_late,
        actor=official,
        now=at(DEC(3)),
        settings=settings,
        store=store(),
        text="Repaired",
    )
    db.session.commit()
    return history


def window(**filters):
    return DashboardFilters(date_from=NOV(1), date_to=DEC(31), **filters)


def as_tuples(figures):
    return sorted(
        (
            str(f.key),
            *(getattr(f, name) for name in queries.COUNTED),
            sorted(f.first_action_days.items()),
            sorted(f.answer_days.items()),
        )
        for f in figures
    )


@pytest.mark.parametrize(
    "dimension", [None, "authority", "category", "region", "kind", "channel", "week"]
)
def test_rollup_figures_are_those_of_the_live_queries(more, dimension):
    head = make_staff(role="head", email="head@example.kz")
    for scope in (None, queries.scope_authority_ids(db.session, head)):
        for filters, today, soon in (
            (window(), TODAY, DEC(31)),
            (window(), DEC(8), DEC(10)),
            (window(category="roads-transport"), TODAY, DEC(31)),
            (window(region="KZ-71", kind="application"), DEC(1), DEC(4)),
            (DashboardFilters(date_from=NOV(20), date_to=DEC(2)), TODAY, DEC(31)),
            # Whole months and days at one end or both (monthly and daily grains together).
            (DashboardFilters(date_from=NOV(19), date_to=DEC(31)), TODAY, DEC(31)),
            (DashboardFilters(date_from=NOV(1), date_to=DEC(2)), DEC(8), DEC(10)),
            (DashboardFilters(date_from=date(2026, 10, 30), date_to=DEC(2)), TODAY, DEC(31)),
            (window(category="roads-transport", kind="application"), DEC(1), DEC(4)),
            # One topic (the topic grain) over days, days and a month, months and days.
            (
                DashboardFilters(date_from=NOV(19), date_to=DEC(2), category="roads-transport"),
                TODAY,
                DEC(31),
            ),
            (
                DashboardFilters(date_from=NOV(19), date_to=DEC(31), category="roads-transport"),
                DEC(8),
                DEC(10),
            ),
            (
                DashboardFilters(
                    date_from=date(2026, 10, 30), date_to=DEC(2), category="roads-transport"
                ),
                TODAY,
                DEC(31),
            ),
            (window(authority="astana-akimat", category="roads-transport"), TODAY, DEC(31)),
            (
                DashboardFilters(
                    date_from=date(2026, 9, 15), date_to=date(2027, 1, 10), region="KZ-71"
                ),
                TODAY,
                DEC(31),
            ),
        ):
            args = dict(today=today, soon=soon, dimension=dimension)
            live = queries.compute_figures_live(db.session, filters, scope, **args)
            rolled = queries.compute_figures(db.session, filters, scope, **args)
            assert as_tuples(rolled) == as_tuples(live), (scope, filters, today)
            assert queries.weekly_trend(db.session, filters, scope) == (
                queries.weekly_trend_live(db.session, filters, scope)
            )


def test_rebuilt_rollups_equal_the_incremental_ones(more):
    incremental = rollups.snapshot(db.session)
    assert len(incremental) == 16 and all(incremental)  # four grains per day and per month
    rollups.rebuild(db.session)
    db.session.flush()
    assert rollups.snapshot(db.session) == incremental


def test_a_change_outside_the_workflow_moves_the_rollups_too(more):
    """Any write of an appeal through the session keeps them: here a rating set directly."""
    a1 = more[0]
    a1.rating = 1
    db.session.commit()
    incremental = rollups.snapshot(db.session)
    rollups.rebuild(db.session)
    db.session.commit()
    assert rollups.snapshot(db.session) == incremental
    [total] = queries.compute_figures(db.session, window(), None, today=TODAY, soon=DEC(31))
    [live] = queries.compute_figures_live(db.session, window(), None, today=TODAY, soon=DEC(31))
    assert total.rating_sum == live.rating_sum


def test_the_command_rebuilds_them(more, app):
    for table in (
        "appeal_rollup_values",
        "appeal_rollups",
        "appeal_rollup_values_by_authority",
        "appeal_rollups_by_authority",
        "appeal_rollup_values_monthly",
        "appeal_rollups_monthly",
        "appeal_rollup_values_monthly_by_authority",
        "appeal_rollups_monthly_by_authority",
        "appeal_rollup_values_by_topic",
        "appeal_rollups_by_topic",
        "appeal_rollup_values_monthly_by_topic",
        "appeal_rollups_monthly_by_topic",
    ):
        db.session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (fixed names)
    db.session.commit()
    assert queries.compute_figures(db.session, window(), None, today=TODAY, soon=DEC(31)) == []
    result = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    db.session.expire_all()
    [total] = queries.compute_figures(db.session, window(), None, today=TODAY, soon=DEC(31))
    assert total.filed == 8


def test_monthly_rollups_add_up_to_the_daily_ones(more):
    """Each month's row is the sum of its days' rows, counters and histograms alike."""
    tables = rollups.snapshot(db.session)  # per grain: its counters, its histograms
    daily, monthly = tables[0], tables[4]  # every cell, per day and per month
    summed: dict = {}
    for row in daily:
        cell = (row[0].replace(day=1), *row[1:6])
        summed[cell] = [
            a + b
            for a, b in zip(summed.get(cell, [0] * len(rollups.COUNTERS)), row[6:], strict=True)
        ]
    assert {(*cell, *counts) for cell, counts in summed.items() if any(counts)} == monthly


def test_the_topic_grain_adds_up_every_cell_of_its_topic(more):
    """Per day and per month, each (authority, topic) row is the sum of its cells' rows,
    counters and histograms alike."""
    tables = rollups.snapshot(db.session)
    for cells, values, topic, topic_values in ((0, 1, 8, 9), (4, 5, 10, 11)):
        summed: dict = {}
        for row in tables[cells]:
            key = row[:3]
            summed[key] = [
                a + b
                for a, b in zip(summed.get(key, [0] * len(rollups.COUNTERS)), row[6:], strict=True)
            ]
        assert {(*key, *counts) for key, counts in summed.items() if any(counts)} == tables[topic]
        histograms: dict = {}
        for row in tables[values]:
            key = (*row[:3], *row[6:8])
            histograms[key] = histograms.get(key, 0) + row[8]
        assert {(*key, n) for key, n in histograms.items() if n} == tables[topic_values]
    assert len({row[2] for row in tables[8]}) > 1  # (more than one topic)


@pytest.mark.parametrize(
    ("filters", "dimension", "scope", "key"),
    [
        (window(), None, None, rollups.COARSE),
        (window(), None, {1}, rollups.COARSE),
        (window(), "authority", None, rollups.COARSE),
        (window(authority="astana-akimat"), "week", None, rollups.COARSE),
        (window(), "category", None, rollups.TOPIC_ONLY),
        (window(), "category", {1}, rollups.TOPIC),
        (window(category="roads-transport"), None, None, rollups.TOPIC_ONLY),
        (window(category="roads-transport"), "week", None, rollups.TOPIC_ONLY),
        (window(category="roads-transport"), "week", {1, 2}, rollups.TOPIC),
        (
            window(category="roads-transport", authority="astana-akimat"),
            "category",
            None,
            rollups.TOPIC,
        ),
        (window(category="roads-transport"), "region", None, rollups.CELL),
        (window(kind="complaint"), "category", None, rollups.CELL),
        (window(), "channel", None, rollups.CELL),
    ],
)
def test_the_coarsest_grain_that_can_answer_is_read(filters, dimension, scope, key):
    # Whole months, then days and a month (both the daily and the monthly grain).
    for period in (filters, replace(filters, date_from=NOV(19))):
        parts = queries._rollup_parts(period, dimension, scope=scope)
        assert parts and {grain.key for grain, _ in parts} == {key}


@pytest.mark.parametrize(
    ("date_from", "date_to", "days", "months"),
    [
        (NOV(1), DEC(31), [], (NOV(1), DEC(1))),
        (NOV(5), DEC(31), [(NOV(5), NOV(30))], (DEC(1), DEC(1))),
        (NOV(1), DEC(30), [(DEC(1), DEC(30))], (NOV(1), NOV(1))),
        (
            date(2026, 10, 31),
            date(2027, 2, 2),
            [(date(2026, 10, 31), date(2026, 10, 31)), (date(2027, 2, 1), date(2027, 2, 2))],
            (NOV(1), date(2027, 1, 1)),
        ),
        (NOV(5), DEC(2), [(NOV(5), DEC(2))], None),
        (NOV(1), NOV(30), [], (NOV(1), NOV(1))),
        (DEC(5), DEC(5), [(DEC(5), DEC(5))], None),
    ],
)
def test_a_period_is_split_into_whole_months_and_days(date_from, date_to, days, months):
    assert queries.month_split(date_from, date_to) == (days, months)


def test_ordinals_agree_with_python():
    assert rollups._ordinal(date(2026, 12, 5)) == date(2026, 12, 5).toordinal()
