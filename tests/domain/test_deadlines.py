"""Registration dates and terms (Art. 64, 65, 76, 91)."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from reception.domain.calendar import WorkingCalendar
from reception.domain.deadlines import (
    TermRules,
    add_months,
    complaint_filing_deadline,
    due_date,
    is_late_forward,
    is_overdue,
    max_extension_date,
    registration_date,
    resume_after_pause,
    working_days_left,
    zone_info,
)
from reception.domain.workflow import AppealKind

ALMATY = timezone(timedelta(hours=5))


@pytest.fixture(scope="module")
def kz() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture(scope="module")
def rules() -> TermRules:
    return TermRules()


# --- TermRules ---------------------------------------------------------------


def test_default_terms_follow_article_76_and_99(rules: TermRules) -> None:
    assert rules.term_for("application") == 15
    assert rules.term_for("complaint") == 20
    for kind in ("request", "proposal", "response", "report"):
        assert rules.term_for(kind) == 15


def test_term_accepts_kind_enum(rules: TermRules) -> None:
    assert rules.term_for(AppealKind.complaint) == 20
    assert not rules.can_extend(AppealKind.complaint)


def test_unknown_kind_gets_the_default_term() -> None:
    assert TermRules(default_term_days=30).term_for("petition") == 30


def test_complaint_term_cannot_be_extended(rules: TermRules) -> None:
    assert not rules.can_extend("complaint")
    assert rules.can_extend("application")


def test_another_jurisdiction_is_a_settings_change() -> None:
    russia = TermRules(
        default_term_days=30,
        term_days_by_kind={},
        no_extension_kinds=frozenset(),
        forward_within_days=7,
        timezone="Europe/Moscow",
    )
    assert russia.term_for("application") == 30
    assert russia.can_extend("complaint")


def test_rules_are_immutable_and_hashable(rules: TermRules) -> None:
    with pytest.raises(AttributeError):
        rules.default_term_days = 30  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.term_days_by_kind["application"] = 30  # type: ignore[index]
    assert hash(rules) == hash(TermRules())
    assert rules == TermRules()


def test_rules_copy_the_mapping_given() -> None:
    terms = {"application": 10}
    custom = TermRules(term_days_by_kind=terms)
    terms["application"] = 99
    assert custom.term_for("application") == 10


@pytest.mark.parametrize(
    "kwargs",
    [
        {"default_term_days": -1},
        {"forward_within_days": -3},
        {"term_days_by_kind": {"application": -5}},
        {"extension_max_months": 1.5},
        {"timezone": "Asia/Nowhere"},
        {"timezone": "../etc/passwd"},
        {"cutoff": time(18, 30, tzinfo=UTC)},
    ],
)
def test_impossible_settings_are_rejected(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=r"must be|time zone|cutoff"):
        TermRules(**kwargs)


# --- registration_date -------------------------------------------------------


def test_zone_is_utc_plus_5_since_march_2024() -> None:
    instant = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)
    assert instant.astimezone(zone_info("Asia/Almaty")).utcoffset() == timedelta(hours=5)


def test_received_after_cutoff_is_registered_next_working_day(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 3, 19, 13, 35, tzinfo=UTC)  # 18:35 local
    assert registration_date(received, rules, kz) == date(2025, 3, 20)


def test_received_one_minute_before_cutoff_is_registered_same_day(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 3, 19, 18, 29, 59, tzinfo=ALMATY)
    assert registration_date(received, rules, kz) == date(2025, 3, 19)


def test_received_exactly_at_cutoff_is_registered_next_working_day(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 3, 19, 18, 30, tzinfo=ALMATY)
    assert registration_date(received, rules, kz) == date(2025, 3, 20)


def test_cutoff_uses_utc_plus_5_not_the_old_utc_plus_6(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    # 12:45 UTC is 17:45 in Almaty today; under the pre-2024 offset it would
    # have been 18:45, after the cut-off.
    received = datetime(2025, 3, 19, 12, 45, tzinfo=UTC)
    assert registration_date(received, rules, kz) == date(2025, 3, 19)


def test_received_before_cutoff_on_a_working_thursday_is_same_day(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 3, 20, 9, 15, tzinfo=ALMATY)
    assert registration_date(received, rules, kz) == date(2025, 3, 20)


def test_received_late_before_nauryz_waits_for_the_holidays(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 3, 20, 19, 0, tzinfo=ALMATY)
    assert registration_date(received, rules, kz) == date(2025, 3, 26)


def test_received_late_on_friday_is_registered_on_monday(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 4, 11, 14, 0, tzinfo=UTC)  # Friday 19:00 local
    assert registration_date(received, rules, kz) == date(2025, 4, 14)


def test_received_on_saturday_is_registered_on_monday(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 4, 12, 10, 0, tzinfo=ALMATY)
    assert registration_date(received, rules, kz) == date(2025, 4, 14)


def test_received_on_sunday_morning_is_registered_on_monday(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2025, 4, 13, 9, 0, tzinfo=ALMATY)
    assert registration_date(received, rules, kz) == date(2025, 4, 14)


def test_local_date_is_used_not_the_utc_date(rules: TermRules, kz: WorkingCalendar) -> None:
    # Sunday 20:00 UTC is already Monday 01:00 in Almaty.
    received = datetime(2025, 4, 13, 20, 0, tzinfo=UTC)
    assert registration_date(received, rules, kz) == date(2025, 4, 14)


def test_any_aware_timezone_is_converted(rules: TermRules, kz: WorkingCalendar) -> None:
    moscow = timezone(timedelta(hours=3))
    received = datetime(2025, 3, 19, 16, 29, tzinfo=moscow)  # 18:29 in Almaty
    assert registration_date(received, rules, kz) == date(2025, 3, 19)


def test_received_on_a_decreed_working_saturday_is_same_day(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    received = datetime(2024, 5, 4, 11, 0, tzinfo=ALMATY)
    assert registration_date(received, rules, kz) == date(2024, 5, 4)


def test_naive_received_at_is_rejected(rules: TermRules, kz: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        registration_date(datetime(2025, 3, 19, 10, 0), rules, kz)


def test_custom_cutoff_is_honoured(kz: WorkingCalendar) -> None:
    early = TermRules(cutoff=time(17, 0))
    received = datetime(2025, 3, 19, 17, 30, tzinfo=ALMATY)
    assert registration_date(received, early, kz) == date(2025, 3, 20)


# --- due_date, extension, complaint window -----------------------------------


def test_due_date_skips_nauryz_2025(rules: TermRules, kz: WorkingCalendar) -> None:
    assert due_date(date(2025, 3, 19), "application", rules, kz) == date(2025, 4, 14)


def test_complaint_due_date_uses_twenty_working_days(rules: TermRules, kz: WorkingCalendar) -> None:
    assert due_date(date(2025, 3, 19), "complaint", rules, kz) == date(2025, 4, 21)


def test_due_date_moves_with_an_extra_day_off(rules: TermRules) -> None:
    calendar = WorkingCalendar(extra_days_off=[date(2025, 4, 14)])
    assert due_date(date(2025, 3, 19), "application", rules, calendar) == date(2025, 4, 15)


def test_max_extension_date_is_two_months_later(rules: TermRules) -> None:
    assert max_extension_date(date(2026, 4, 15), rules) == date(2026, 6, 15)


def test_max_extension_date_clamps_to_month_end(rules: TermRules) -> None:
    assert max_extension_date(date(2026, 12, 31), rules) == date(2027, 2, 28)
    assert max_extension_date(date(2027, 12, 31), rules) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 5, 31), -3, date(2025, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 8, 31), 0, date(2025, 8, 31)),
        (date(2025, 3, 31), 12, date(2026, 3, 31)),
    ],
)
def test_add_months_clamps_and_rolls_years(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_complaint_window_is_three_months(rules: TermRules) -> None:
    assert complaint_filing_deadline(date(2025, 11, 30), rules) == date(2026, 2, 28)


def test_complaint_window_is_six_months_without_complaint_info(
    rules: TermRules,
) -> None:
    deadline = complaint_filing_deadline(date(2025, 8, 31), rules, complaint_info_given=False)
    assert deadline == date(2026, 2, 28)


# --- pauses ------------------------------------------------------------------


def test_resume_after_pause_adds_the_working_days_waited(kz: WorkingCalendar) -> None:
    # Paused Tuesday 1 April, resumed Friday 4 April: Wed, Thu, Fri were lost.
    resumed = resume_after_pause(date(2025, 4, 14), date(2025, 4, 1), date(2025, 4, 4), kz)
    assert resumed == date(2025, 4, 17)


def test_resume_after_pause_ignores_holidays_during_the_wait(
    kz: WorkingCalendar,
) -> None:
    # (19 March, 27 March] holds three working days: 20, 26, 27.
    resumed = resume_after_pause(date(2025, 4, 14), date(2025, 3, 19), date(2025, 3, 27), kz)
    assert resumed == date(2025, 4, 17)


def test_resume_on_the_same_day_keeps_the_due_date(kz: WorkingCalendar) -> None:
    due = date(2025, 4, 14)
    assert resume_after_pause(due, date(2025, 4, 2), date(2025, 4, 2), kz) == due


def test_resume_lands_on_a_working_day(kz: WorkingCalendar) -> None:
    # A wait over a weekend costs nothing, and a due date that is a day
    # off (e.g. after an override) still moves to a working day.
    resumed = resume_after_pause(date(2025, 3, 22), date(2025, 4, 11), date(2025, 4, 13), kz)
    assert resumed == date(2025, 3, 26)


def test_resume_before_pause_is_rejected(kz: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="before"):
        resume_after_pause(date(2025, 4, 14), date(2025, 4, 4), date(2025, 4, 1), kz)


# --- countdown ---------------------------------------------------------------


def test_working_days_left_is_positive_before_the_due_day(kz: WorkingCalendar) -> None:
    assert working_days_left(date(2025, 4, 14), date(2025, 4, 10), kz) == 2
    assert working_days_left(date(2025, 4, 14), date(2025, 3, 19), kz) == 15


def test_working_days_left_is_zero_on_the_due_day(kz: WorkingCalendar) -> None:
    assert working_days_left(date(2025, 4, 14), date(2025, 4, 14), kz) == 0


def test_working_days_left_is_negative_when_overdue(kz: WorkingCalendar) -> None:
    assert working_days_left(date(2025, 4, 14), date(2025, 4, 16), kz) == -2


def test_weekend_right_after_the_due_day_is_overdue_by_zero_working_days(
    kz: WorkingCalendar,
) -> None:
    due, saturday = date(2025, 4, 11), date(2025, 4, 12)
    assert working_days_left(due, saturday, kz) == 0
    assert is_overdue(due, saturday)


def test_is_overdue_only_after_the_due_day() -> None:
    due = date(2025, 4, 14)
    assert not is_overdue(due, date(2025, 4, 13))
    assert not is_overdue(due, due)
    assert is_overdue(due, date(2025, 4, 15))


# --- forwarding (Art. 65) ----------------------------------------------------


def test_forward_within_three_working_days_is_on_time(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    # 20, 26 and 27 March: Nauryz does not eat into the three days.
    assert not is_late_forward(date(2025, 3, 19), date(2025, 3, 27), rules, kz)
    assert not is_late_forward(date(2025, 3, 19), date(2025, 3, 19), rules, kz)


def test_forward_on_the_fourth_working_day_is_late(rules: TermRules, kz: WorkingCalendar) -> None:
    assert is_late_forward(date(2025, 3, 19), date(2025, 3, 28), rules, kz)


@pytest.mark.parametrize(
    "forwarded_on",
    [
        date(2024, 1, 13),  # Saturday after the limit ended with Friday's working day
        date(2024, 1, 14),  # Sunday
        date(2024, 1, 15),  # Monday, the fourth working day
    ],
)
def test_forward_after_the_limit_is_late_on_any_day(
    rules: TermRules, kz: WorkingCalendar, forwarded_on: date
) -> None:
    # Art. 65: registered Tuesday 9 January 2024; the three working days are 10-12 January.
    assert is_late_forward(date(2024, 1, 9), forwarded_on, rules, kz)
    assert not is_late_forward(date(2024, 1, 9), date(2024, 1, 12), rules, kz)


def test_forward_on_a_day_off_inside_the_limit_is_on_time(
    rules: TermRules, kz: WorkingCalendar
) -> None:
    # Registered Friday 20 December 2024: the limit runs to Wednesday 25 December, so a
    # forward made on the Saturday in between is on time.
    assert not is_late_forward(date(2024, 12, 20), date(2024, 12, 21), rules, kz)


def test_forward_limit_is_configurable(kz: WorkingCalendar) -> None:
    russia = TermRules(forward_within_days=7)
    assert not is_late_forward(date(2025, 3, 19), date(2025, 3, 28), russia, kz)
