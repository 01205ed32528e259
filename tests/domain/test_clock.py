"""The statutory clock: extensions on non-working days and explained dates.

docs/domain.md, sections 5 (Art. 76: the last day, the 2-month limit) and 11 (every date
shows how it was reached).
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from reception.domain import explain as ex
from reception.domain.calendar import WorkingCalendar
from reception.domain.deadlines import (
    TermRules,
    due_date,
    extension_due_date,
    last_working_day_until,
    registration_date,
)

ALMATY = timezone(timedelta(hours=5))


@pytest.fixture(scope="module")
def kz() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture(scope="module")
def rules() -> TermRules:
    return TermRules()


# --- Art. 76: an extension asked for a non-working day ------------------------


def test_art76_extension_on_sunday_10_august_2025_lands_on_monday(kz, rules):
    # Decided Monday 11 June 2025: the limit is 11 August, a Monday.
    landing = extension_due_date(date(2025, 8, 10), date(2025, 6, 11), rules, kz)
    assert landing.due_on == date(2025, 8, 11) and landing.moved and landing.allowed


def test_art76_extension_whose_next_working_day_is_past_two_months_is_refused(kz, rules):
    # Decided 10 June 2025: the limit is Sunday 10 August; Monday 11 August is past it,
    # so the latest date the head may choose is Friday 8 August.
    landing = extension_due_date(date(2025, 8, 10), date(2025, 6, 10), rules, kz)
    assert landing.due_on == date(2025, 8, 11)
    assert not landing.allowed
    assert landing.latest == date(2025, 8, 8)
    assert extension_due_date(date(2025, 8, 8), date(2025, 6, 10), rules, kz).allowed


def test_art76_extension_on_capital_day_transfer_7_july_2025(kz, rules):
    assert not kz.is_working_day(date(2025, 7, 7))  # Capital Day (Sunday 6 July) moved
    landing = extension_due_date(date(2025, 7, 7), date(2025, 5, 8), rules, kz)
    assert (landing.due_on, landing.moved, landing.allowed) == (date(2025, 7, 8), True, True)
    # Decided 6 May: the limit, Sunday 6 July, is followed by the moved holiday.
    refused = extension_due_date(date(2025, 7, 7), date(2025, 5, 6), rules, kz)
    assert not refused.allowed and refused.latest == date(2025, 7, 4)


def test_art76_extension_into_nauryz_2026(kz, rules):
    landing = extension_due_date(date(2026, 3, 23), date(2026, 1, 27), rules, kz)
    assert landing.due_on == date(2026, 3, 26) and landing.allowed
    refused = extension_due_date(date(2026, 3, 21), date(2026, 1, 23), rules, kz)
    assert not refused.allowed and refused.latest == date(2026, 3, 20)


def test_art76_extension_on_a_working_day_is_kept(kz, rules):
    landing = extension_due_date(date(2025, 8, 8), date(2025, 6, 10), rules, kz)
    assert landing.due_on == date(2025, 8, 8) and not landing.moved


def test_last_working_day_until(kz):
    assert last_working_day_until(date(2026, 3, 25), kz) == date(2026, 3, 20)
    assert last_working_day_until(date(2026, 3, 26), kz) == date(2026, 3, 26)


def test_an_extension_always_ends_on_a_working_day_within_the_limit(kz, rules):
    decided = date(2025, 1, 10)
    for offset in range(0, 400, 3):
        asked = decided + timedelta(days=offset % 70 + 1)
        landing = extension_due_date(asked, decided, rules, kz)
        assert kz.is_working_day(landing.due_on)
        assert landing.allowed == (landing.due_on <= landing.limit)
        assert kz.is_working_day(landing.latest) and landing.latest <= landing.limit
        decided += timedelta(days=1)


# --- Every date shows how it was reached ---------------------------------------


def codes(steps):
    return [s.code for s in steps]


def test_explained_registration_after_the_cutoff_names_nauryz(kz, rules):
    # Art. 64, 76: received Wednesday 19 March 2025 at 18:30 sharp, local time.
    received = datetime(2025, 3, 19, 18, 30, tzinfo=ALMATY)
    registered, due, steps = ex.explain_registration(received, "application", rules, kz)
    assert registered == registration_date(received, rules, kz) == date(2025, 3, 20)
    assert due == due_date(registered, "application", rules, kz)
    assert steps[0].code == ex.RECEIVED and steps[0].at.hour == 18
    assert (steps[1].code, steps[1].reason) == (ex.REGISTERED, "after_cutoff")
    skipped = [s for s in steps if s.code == ex.SKIPPED]
    assert [s.on for s in skipped] == [date(2025, 3, d) for d in (21, 22, 23, 24, 25)]
    assert {s.name for s in skipped} == {"Nowruz Holiday", "Nowruz Holiday (observed)"}
    assert steps[-1] == ex.TermStep(ex.DUE, on=due)
    assert ex.WEEKENDS in codes(steps)


def test_explained_registration_on_a_day_off_and_a_decreed_transfer(kz, rules):
    # Art. 64: received on Friday 3 January 2025, a day off moved from Sunday 5 January.
    received = datetime(2025, 1, 3, 10, 0, tzinfo=ALMATY)
    registered, _due, steps = ex.explain_registration(received, "application", rules, kz)
    assert registered == date(2025, 1, 5)  # the decreed working Sunday
    assert steps[1].reason == "day_off"
    assert steps[2] == ex.TermStep(
        ex.SKIPPED,
        on=date(2025, 1, 3),
        reason=ex.TRANSFER,
        name="Day off (substituted from 01/05/2025)",
    )


def test_explained_registration_same_day_and_utc_input(kz, rules):
    received = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)  # 09:00 in Almaty
    registered, due, steps = ex.explain_registration(received, "complaint", rules, kz)
    assert registered == date(2026, 11, 17) and steps[1].reason == "same_day"
    assert steps[2] == ex.TermStep(ex.TERM, days=20, reason="complaint")
    assert steps[3] == ex.TermStep(ex.DAY_ONE, on=date(2026, 11, 18))
    assert due == due_date(registered, "complaint", rules, kz)


def test_explanation_refuses_a_naive_time(kz, rules):
    with pytest.raises(ValueError):
        ex.explain_registration(datetime(2025, 1, 3, 10), "application", rules, kz)


def test_an_administrators_override_is_named_with_its_note(rules):
    cal = WorkingCalendar(extra_days_off=[date(2026, 11, 20)])
    received = datetime(2026, 11, 17, 9, 0, tzinfo=ALMATY)
    _, _, steps = ex.explain_registration(
        received, "application", rules, cal, {date(2026, 11, 20): "Decree 123"}
    )
    override = [s for s in steps if s.reason == ex.OVERRIDE]
    assert override == [
        ex.TermStep(ex.SKIPPED, on=date(2026, 11, 20), reason=ex.OVERRIDE, name="Decree 123")
    ]


def test_a_decreed_working_saturday_is_shown(rules):
    cal = WorkingCalendar(extra_working_days=[date(2026, 11, 21)])
    _, _, steps = ex.explain_registration(
        datetime(2026, 11, 17, 9, 0, tzinfo=ALMATY), "application", rules, cal
    )
    assert ex.TermStep(ex.WORKING_WEEKEND, on=date(2026, 11, 21), reason=ex.OVERRIDE) in steps


def test_explained_appeal_with_forward_pause_and_extension(kz, rules):
    received = datetime(2025, 3, 3, 9, 0, tzinfo=ALMATY)  # Monday
    _, due0, _ = ex.explain_registration(received, "application", rules, kz)
    forwarded_due = kz.add_working_days(date(2025, 3, 5), 15)
    paused_due = kz.add_working_days(
        forwarded_due, kz.working_days_between(date(2025, 4, 1), date(2025, 4, 4))
    )
    changes = [
        ex.TermChange(
            "forward",
            on=date(2025, 3, 5),
            received_on=date(2025, 3, 5),
            due_on=forwarded_due,
            name="KZ-75-AKIMAT",
        ),
        ex.TermChange("pause", on=date(2025, 4, 1), until=date(2025, 4, 4)),
        ex.TermChange(
            "extend",
            on=date(2025, 4, 10),
            due_on=date(2025, 5, 12),
            asked=date(2025, 5, 10),
            name="An expert opinion",
        ),
    ]
    steps = ex.explain_appeal(
        received_at=received,
        kind="application",
        due_on=date(2025, 5, 12),
        rules=rules,
        calendar=kz,
        changes=changes,
    )
    assert due0 != forwarded_due
    paused = next(s for s in steps if s.code == ex.PAUSED)
    assert (paused.days, paused.previous) == (3, forwarded_due)
    extended = next(s for s in steps if s.code == ex.EXTENDED)
    assert (extended.previous, extended.asked, extended.reason) == (
        paused_due,
        date(2025, 5, 10),
        "moved",
    )
    assert codes(steps)[-1] == ex.DUE and ex.RECALCULATED not in codes(steps)
    assert steps[-1].on == date(2025, 5, 12)


def test_a_stored_date_that_differs_is_said_so(kz, rules):
    steps = ex.explain_appeal(
        received_at=datetime(2025, 3, 3, 9, 0, tzinfo=ALMATY),
        kind="application",
        due_on=date(2025, 4, 1),
        rules=rules,
        calendar=kz,
    )
    assert steps[-2].code == ex.RECALCULATED and steps[-2].on == date(2025, 4, 1)


def test_steps_are_json_ready(kz, rules):
    _, _, steps = ex.explain_registration(
        datetime(2025, 3, 19, 18, 30, tzinfo=ALMATY), "application", rules, kz
    )
    dicts = [s.as_dict() for s in steps]
    assert dicts[0] == {"step": "received", "at": "2025-03-19T18:30:00+05:00"}
    assert dicts[1] == {"step": "registered", "on": "2025-03-20", "reason": "after_cutoff"}
    assert {"step": "term", "days": 15, "reason": "application"} in dicts


def test_year_certainty_knows_2025_transfers_and_2026_estimates(kz):
    y2025 = ex.year_certainty(2025, kz)
    assert (date(2025, 1, 3), "Day off (substituted from 01/05/2025)") in y2025.confirmed_transfers
    assert y2025.has_confirmed_transfers
    y2026 = ex.year_certainty(2026, kz)
    assert not y2026.has_confirmed_transfers
    assert any("estimated" in name for _, name in y2026.estimates)
    with_override = ex.year_certainty(2026, WorkingCalendar(extra_days_off=[date(2026, 1, 5)]))
    assert with_override.has_confirmed_transfers
