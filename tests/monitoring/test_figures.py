"""Dashboard figures against hand-computed cases, with paused time and holidays."""

from datetime import UTC, date, datetime, timedelta

import pytest

from reception.appeals import citizen_actions
from reception.extensions import db
from reception.monitoring import queries
from reception.monitoring.filters import DashboardFilters
from reception.review import services
from tests.factories import make_appeal, make_staff, store, workflow_settings


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)  # 09:00 in Astana


NOV = lambda d: date(2026, 11, d)  # noqa: E731
DEC = lambda d: date(2026, 12, d)  # noqa: E731
TODAY = DEC(28)


@pytest.fixture
def history():
    """Five appeals whose figures are worked out by hand in the comments."""
    settings = workflow_settings()
    official = make_staff(role="official")
    a1, _ = make_appeal(at(NOV(17)))  # registered 17 Nov, due 8 Dec
    services.take_appeal(db.session, a1, actor=official, now=at(NOV(18)), settings=settings)
    services.answer_appeal(
        db.session,
        a1,
        actor=official,
        now=at(NOV(20)),
        settings=settings,
        store=store(),
        text="Done",
    )  # 3 working days, on time
    citizen_actions.rate_answer(
        db.session, a1, actor=None, now=at(NOV(21)), settings=settings, rating=4
    )

    a2, _ = make_appeal(at(NOV(17)))
    services.request_info(
        db.session,
        a2,
        actor=official,
        now=at(NOV(18)),
        settings=settings,
        text="Which flat?",
        reply_days=5,
    )  # first action after 1 day
    citizen_actions.reply_to_request(
        db.session,
        a2,
        actor=None,
        now=at(NOV(23)),
        settings=settings,
        store=store(),
        text="Flat 12",
    )
    # Paused 19, 20, 23 Nov (3 working days); answered 25 Nov: 6 working days - 3 = 3.
    services.answer_appeal(
        db.session,
        a2,
        actor=official,
        now=at(NOV(25)),
        settings=settings,
        store=store(),
        text="Done",
    )
    citizen_actions.rate_answer(
        db.session, a2, actor=None, now=at(NOV(26)), settings=settings, rating=2
    )

    a3, _ = make_appeal(at(DEC(1)))  # due 23 Dec (16 December is a holiday)
    services.answer_appeal(
        db.session,
        a3,
        actor=official,
        now=at(DEC(24)),
        settings=settings,
        store=store(),
        text="Late",
    )  # 16 working days, late; first action too

    make_appeal(at(NOV(17)))  # a4: nothing done; overdue since 8 Dec

    a5, _ = make_appeal(at(NOV(17)))
    services.forward_appeal(
        db.session,
        a5,
        actor=official,
        now=at(NOV(18)),
        settings=settings,
        authority="almaty-akimat",
        reason="Almaty address",
    )  # due 9 Dec
    db.session.commit()
    return a1, a2, a3, a5


def figures(scope=None, dimension=None, **filters):
    window = DashboardFilters(date_from=NOV(1), date_to=DEC(31), **filters)
    return queries.compute_figures(
        db.session, window, scope, today=TODAY, soon=DEC(31), dimension=dimension
    )


def test_totals_match_the_hand_computed_figures(history):
    a1, a2, a3, _ = history
    assert (a1.answer_days, a2.answer_days, a3.answer_days) == (3, 3, 16)
    assert a2.paused_days == 3
    [total] = figures()
    assert total.filed == 5
    assert total.open == 2
    assert total.answered == 3
    assert total.overdue == 2
    assert total.on_time == 2 and total.on_time_share == pytest.approx(2 / 3)
    # First action: 1, 1, 1, 16 -> median (rank 2) 1, 90th percentile (rank 4) 16.
    assert (total.first_action_p50, total.first_action_p90) == (1, 16)
    # Answer: 3, 3, 16 -> median (rank 2) 3, 90th percentile (rank 3) 16.
    assert (total.answer_p50, total.answer_p90) == (3, 16)
    assert total.forwarding_rate == pytest.approx(0.2)
    assert total.rating_avg == pytest.approx(3.0)
    assert total.extensions == 0


def test_figures_per_authority_and_per_week(history):
    by_authority = {f.key: f for f in figures(dimension="authority")}
    astana, almaty = history[0].authority_id, history[3].authority_id
    assert by_authority[astana].filed == 4 and by_authority[almaty].filed == 1
    assert by_authority[almaty].overdue == 1
    weeks = {f.key: f.filed for f in figures(dimension="week")}
    assert weeks == {NOV(16): 4, NOV(30): 1}


def test_filters_narrow_the_figures(history):
    assert figures(authority="almaty-akimat")[0].filed == 1
    assert figures(kind="complaint") == [] or figures(kind="complaint")[0].filed == 0
    window = DashboardFilters(date_from=DEC(1), date_to=DEC(31))
    [december] = queries.compute_figures(db.session, window, None, today=TODAY, soon=DEC(31))
    assert december.filed == 1 and december.answered == 1 and december.on_time == 0


def test_head_sees_their_body_and_the_bodies_under_it():
    head = make_staff(role="head")
    scope = queries.scope_authority_ids(db.session, head)
    from reception.directory.queries import get_authority

    assert get_authority(db.session, "astana-akimat").id in scope
    assert get_authority(db.session, "astana-almaty-district-akimat").id in scope
    assert get_authority(db.session, "almaty-akimat").id not in scope


def test_weekly_trend_counts_filed_and_answered(history):
    trend = queries.weekly_trend(
        db.session, DashboardFilters(date_from=NOV(1), date_to=DEC(31)), None
    )
    # Answers on 20 Nov, 25 Nov (the next week) and 24 Dec; every week of the period is
    # there, the empty ones as zero (a dropped week would draw a line from 2 to 16 Nov).
    counted = {NOV(16): (4, 1), NOV(23): (0, 1), NOV(30): (1, 0), DEC(21): (0, 1)}
    mondays = [date(2026, 10, 26) + timedelta(days=7 * n) for n in range(10)]
    assert mondays[-1] == DEC(28)
    assert trend == [(week, *counted.get(week, (0, 0))) for week in mondays]


def test_overdue_list_sorted_by_due_date(history):
    overdue = queries.list_overdue(db.session, None, today=TODAY, sort="due")
    assert [a.due_on for a in overdue] == [DEC(8), DEC(9)]
