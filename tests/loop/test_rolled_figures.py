"""The honest figures read from the rollups are exactly those computed from the appeals, for
every grouping, filters, scope and period (whole months, days, both); the rollups kept flush
by flush (repeats included) equal those rebuilt from the appeals."""

from datetime import date

import pytest

from reception.directory.queries import get_authority, get_calendar
from reception.extensions import db
from reception.monitoring import figures, open_data, queries, rollups
from reception.monitoring.filters import DashboardFilters
from tests.factories import make_appeal, make_staff
from tests.loop.conftest import DEC, NOV, TODAY, at


def as_tuples(result: figures.Dashboard):
    def row(f):
        return (str(f.key), *(getattr(f, n) for n in figures.COUNTS), sorted(f.buckets.items()))

    return (
        sorted(row(f) for f in result.groups),
        row(result.total),
        sorted(row(f) for f in result.forwarders),
    )


PERIODS = (
    (NOV(1), DEC(31)),  # whole months
    (NOV(17), DEC(31)),  # days, then a whole month
    (NOV(1), DEC(2)),  # a whole month, then days
    (date(2026, 10, 20), date(2027, 1, 3)),  # days at both ends
    (NOV(18), DEC(24)),  # days only
)


KEYS = {
    frozenset(): rollups.COARSE,
    frozenset({"authority"}): rollups.COARSE,
    frozenset({"category"}): rollups.TOPIC_ONLY,
    frozenset({"authority", "category"}): rollups.TOPIC,
}


@pytest.mark.parametrize(
    "dimension", ["authority", "category", "region", "kind", "channel", "week"]
)
def test_rolled_honest_figures_are_those_of_the_appeals(history, dimension):
    calendar = get_calendar(db.session, "KZ")
    head = make_staff(role="head", email="head@example.kz")
    topic = {"category": history["a1"].category.code}
    extras = (
        {},
        topic,
        {"kind": "complaint"},
        {**topic, "authority": history["a1"].authority.code},
    )
    for scope in (None, queries.scope_authority_ids(db.session, head)):
        for date_from, date_to in PERIODS:
            for extra in extras:
                filters = DashboardFilters(date_from=date_from, date_to=date_to, **extra)
                # The coarsest grain that can answer: a topic only, for every body, reads the
                # topic-only grain; for some bodies (a head's scope), the topic grain.
                asked = {dimension, *extra} - {"week"} | ({"authority"} if scope else set())
                parts = queries._rollup_parts(filters, dimension, scope=scope)
                read = {grain.key for grain, _ in parts}
                assert read == {KEYS.get(frozenset(asked), rollups.CELL)}
                for today in (TODAY, DEC(1)):
                    args = dict(today=today, calendar=calendar, dimension=dimension)
                    rolled = figures.dashboard_figures(db.session, filters, scope, **args)
                    live = figures.dashboard_figures(db.session, filters, scope, live=True, **args)
                    assert as_tuples(rolled) == as_tuples(live), (scope, filters, today)


def test_rolled_open_data_and_body_page_are_those_of_the_appeals(history):
    calendar = get_calendar(db.session, "KZ")
    for today in (TODAY, DEC(1), date(2027, 3, 5)):
        rolled = open_data.monthly_rows(db.session, today=today, calendar=calendar)
        live = open_data.monthly_rows(db.session, today=today, calendar=calendar, live=True)
        assert rolled and rolled == live
        for code in ("astana-akimat", "almaty-akimat"):
            authority = get_authority(db.session, code)
            args = dict(today=today, calendar=calendar)
            rolled_months = open_data.body_months(db.session, authority, **args)
            live_months = open_data.body_months(db.session, authority, live=True, **args)
            assert {k: vars(v) for k, v in rolled_months.items()} == {
                k: vars(v) for k, v in live_months.items()
            }


def test_rebuilt_rollups_equal_the_incremental_ones_with_repeats(history):
    assert history["a3"].repeat_of_id == history["a2"].id
    incremental = rollups.snapshot(db.session)
    rollups.rebuild(db.session)
    db.session.flush()
    assert rollups.snapshot(db.session) == incremental
    # A repeat filed, moved to another appeal, others unlinked: the repeated answers follow.
    again, _ = make_appeal(at(DEC(2)))
    db.session.commit()
    assert again.repeat_of_id is not None
    steps = [lambda: setattr(again, "repeat_of_id", history["a1"].id)]
    steps.append(lambda: setattr(history["a3"], "repeat_of_id", None))
    steps.append(lambda: setattr(again, "repeat_of_id", None))
    for step in steps:
        step()
        db.session.flush()
        incremental = rollups.snapshot(db.session)
        rollups.rebuild(db.session)
        db.session.flush()
        assert rollups.snapshot(db.session) == incremental
