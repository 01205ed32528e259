"""Working-day calendar for Kazakhstan (Art. 76)."""

from datetime import date, datetime, timedelta

import pytest

from reception.domain.calendar import WorkingCalendar


@pytest.fixture(scope="module")
def kz() -> WorkingCalendar:
    return WorkingCalendar()


def test_due_date_skips_nauryz_2025(kz: WorkingCalendar) -> None:
    assert kz.add_working_days(date(2025, 3, 19), 15) == date(2025, 4, 14)


@pytest.mark.parametrize("day", [date(2025, 3, 21), date(2025, 3, 24), date(2025, 3, 25)])
def test_nauryz_2025_weekdays_are_days_off(kz: WorkingCalendar, day: date) -> None:
    assert not kz.is_working_day(day)


def test_independence_day_is_skipped(kz: WorkingCalendar) -> None:
    assert not kz.is_working_day(date(2025, 12, 16))
    assert kz.add_working_days(date(2025, 12, 15), 1) == date(2025, 12, 17)


def test_decreed_working_saturday_counts_as_working(kz: WorkingCalendar) -> None:
    assert kz.is_working_day(date(2024, 5, 4))
    # ...and the weekday it was swapped with is a day off.
    assert not kz.is_working_day(date(2024, 5, 8))
    assert kz.add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)


def test_decreed_working_sunday_2025_counts_as_working(kz: WorkingCalendar) -> None:
    assert kz.is_working_day(date(2025, 1, 5))
    assert not kz.is_working_day(date(2025, 1, 3))


def test_ordinary_weekend_is_not_working(kz: WorkingCalendar) -> None:
    assert not kz.is_working_day(date(2025, 4, 12))
    assert not kz.is_working_day(date(2025, 4, 13))
    assert kz.is_working_day(date(2025, 4, 14))


def test_counting_crosses_new_year(kz: WorkingCalendar) -> None:
    # 1-2 January 2026 are holidays, 3-4 January a weekend.
    assert kz.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    # 7 January (Orthodox Christmas) is skipped too.
    assert kz.add_working_days(date(2025, 12, 31), 3) == date(2026, 1, 8)
    assert kz.working_days_between(date(2025, 12, 30), date(2026, 1, 8)) == 4


def test_zero_days_returns_the_day_itself_when_working(kz: WorkingCalendar) -> None:
    assert kz.add_working_days(date(2025, 3, 19), 0) == date(2025, 3, 19)


def test_zero_days_moves_a_day_off_to_the_next_working_day(kz: WorkingCalendar) -> None:
    assert kz.add_working_days(date(2025, 3, 22), 0) == date(2025, 3, 26)


def test_negative_days_are_rejected(kz: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="n must be"):
        kz.add_working_days(date(2025, 3, 19), -1)


def test_next_working_day_is_strictly_after(kz: WorkingCalendar) -> None:
    assert kz.next_working_day(date(2025, 3, 19)) == date(2025, 3, 20)
    assert kz.next_working_day(date(2025, 3, 20)) == date(2025, 3, 26)


def test_working_days_between_is_zero_for_empty_interval(kz: WorkingCalendar) -> None:
    assert kz.working_days_between(date(2025, 3, 19), date(2025, 3, 19)) == 0
    assert kz.working_days_between(date(2025, 3, 19), date(2025, 3, 1)) == 0


def test_working_days_between_counts_the_end_not_the_start(kz: WorkingCalendar) -> None:
    assert kz.working_days_between(date(2025, 4, 10), date(2025, 4, 11)) == 1
    assert kz.working_days_between(date(2025, 4, 11), date(2025, 4, 14)) == 1


@pytest.mark.parametrize(
    "start",
    [date(2024, 12, 20), date(2025, 3, 19), date(2025, 12, 13), date(2024, 5, 3)],
)
@pytest.mark.parametrize("k", [1, 2, 5, 15, 20, 60])
def test_working_days_between_inverts_add_working_days(
    kz: WorkingCalendar, start: date, k: int
) -> None:
    assert kz.working_days_between(start, kz.add_working_days(start, k)) == k


def test_added_days_always_land_on_a_working_day(kz: WorkingCalendar) -> None:
    start = date(2024, 1, 1)
    for offset in range(0, 800, 7):
        day = start + timedelta(days=offset)
        assert kz.is_working_day(kz.add_working_days(day, 15))


def test_long_spans_over_many_years_are_consistent(kz: WorkingCalendar) -> None:
    start = date(2019, 6, 3)
    end = kz.add_working_days(start, 2500)
    assert end.year >= 2029
    assert kz.working_days_between(start, end) == 2500


def test_extra_day_off_moves_a_due_date() -> None:
    calendar = WorkingCalendar(extra_days_off=[date(2025, 4, 10)])
    assert not calendar.is_working_day(date(2025, 4, 10))
    assert calendar.add_working_days(date(2025, 3, 19), 15) == date(2025, 4, 15)


def test_extra_working_saturday_counts() -> None:
    saturday = date(2025, 4, 12)
    calendar = WorkingCalendar(extra_working_days=[saturday])
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2025, 3, 19), 15) == saturday


def test_extra_working_day_wins_over_a_public_holiday() -> None:
    calendar = WorkingCalendar(extra_working_days=[date(2025, 12, 16)])
    assert calendar.is_working_day(date(2025, 12, 16))


def test_extra_day_off_wins_over_a_decreed_working_saturday() -> None:
    calendar = WorkingCalendar(extra_days_off=[date(2024, 5, 4)])
    assert not calendar.is_working_day(date(2024, 5, 4))


def test_contradictory_overrides_leave_the_day_off() -> None:
    day = date(2025, 4, 9)
    calendar = WorkingCalendar(extra_days_off=[day], extra_working_days=[day])
    assert not calendar.is_working_day(day)


def test_overrides_accept_any_iterable() -> None:
    calendar = WorkingCalendar(extra_days_off=(d for d in [date(2025, 4, 9)]))
    assert not calendar.is_working_day(date(2025, 4, 9))
    assert not calendar.is_working_day(date(2025, 4, 9))


def test_datetime_is_rejected_instead_of_miscounted(kz: WorkingCalendar) -> None:
    with pytest.raises(TypeError):
        kz.is_working_day(datetime(2025, 3, 21, 10, 0))


def test_unknown_country_is_rejected() -> None:
    with pytest.raises(ValueError, match="XX"):
        WorkingCalendar(country="XX")


def test_other_country_uses_its_own_holidays() -> None:
    # Russia: 12 June is a holiday, Nauryz is not.
    ru = WorkingCalendar(country="RU")
    assert not ru.is_working_day(date(2025, 6, 12))
    assert ru.is_working_day(date(2025, 3, 21))
