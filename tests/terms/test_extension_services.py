"""Art. 76: an extension that names a non-working day, against the 2-month limit.

docs/domain.md, section 5: the term lands on the next working day and the head is told;
when that day is past the limit, the extension is refused with the latest working day.
"""

from datetime import UTC, date, datetime

import pytest

from reception.core.i18n import local_date
from reception.core.refusals import Refused
from reception.extensions import db
from reception.review import services
from tests.factories import make_appeal, make_staff, workflow_settings


def decided(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)  # 10:00 in Almaty


@pytest.fixture
def head():
    return make_staff(role="head")


def extend(appeal, head, on: date, asked: str):
    return services.extend_deadline(
        db.session,
        appeal,
        actor=head,
        now=decided(on),
        settings=workflow_settings(),
        due_on=asked,
        reason="An expert opinion is needed.",
    )


@pytest.mark.parametrize(
    ("filed", "decision", "asked", "landed"),
    [
        # Sunday 10 August 2025; decided 11 June, the limit is Monday 11 August.
        (date(2025, 6, 2), date(2025, 6, 11), "2025-08-10", date(2025, 8, 11)),
        # The Capital Day holiday moved to Monday 7 July 2025.
        (date(2025, 5, 5), date(2025, 5, 8), "2025-07-07", date(2025, 7, 8)),
        # Nauryz 2026: 21-25 March.
        (date(2026, 1, 26), date(2026, 1, 27), "2026-03-23", date(2026, 3, 26)),
    ],
)
def test_art76_extension_on_a_non_working_day_lands_on_the_next_working_day(
    head, filed, decision, asked, landed
):
    appeal, _ = make_appeal(decided(filed))
    event = extend(appeal, head, decision, asked)
    db.session.commit()
    assert appeal.due_on == landed
    assert event.data == {
        "from": event.data["from"],
        "to": landed.isoformat(),
        "asked": asked,
        "moved": True,
    }


@pytest.mark.parametrize(
    ("filed", "decision", "asked", "latest"),
    [
        # Decided 10 June 2025: the limit is Sunday 10 August; Monday 11 is past it.
        (date(2025, 6, 2), date(2025, 6, 10), "2025-08-09", "2025-08-08"),
        # Decided 6 May 2025: the limit is Sunday 6 July; 7 July is the moved holiday.
        (date(2025, 5, 5), date(2025, 5, 6), "2025-07-05", "2025-07-04"),
        # Decided 23 January 2026: the limit, 23 March, falls in Nauryz.
        (date(2026, 1, 19), date(2026, 1, 23), "2026-03-21", "2026-03-20"),
    ],
)
def test_art76_extension_whose_next_working_day_passes_two_months_is_refused(
    head, filed, decision, asked, latest
):
    appeal, _ = make_appeal(decided(filed))
    due_before = appeal.due_on
    with pytest.raises(Refused) as refused:
        extend(appeal, head, decision, asked)
    assert refused.value.field == "due_on"
    assert "is not a working day" in str(refused.value.message)
    # The date as the page's language writes it, never an ISO date (issue 15).
    assert local_date(latest) in str(refused.value.message)
    assert latest not in str(refused.value.message)
    db.session.rollback()
    assert appeal.due_on == due_before
    # The latest working day it names is accepted.
    extend(appeal, head, decision, latest)
    db.session.commit()
    assert appeal.due_on.isoformat() == latest


def test_art76_a_working_day_within_the_limit_is_kept_as_asked(head):
    appeal, _ = make_appeal(decided(date(2025, 6, 2)))
    event = extend(appeal, head, date(2025, 6, 10), "2025-08-08")
    assert appeal.due_on == date(2025, 8, 8) and "moved" not in event.data
