"""A hand-computed history shared by the tests of closing the loop.

Today is 28 December 2026 (16 December is a holiday). Every appeal comes from the same
applicant (the factories' IIN) on the same topic, so the repeat rule applies to them too:

- a1: filed 17 Nov, answered 20 Nov: 3 working days, on time.
- a2: filed 17 Nov, paused 19, 20, 23 Nov (3 working days), answered 25 Nov: 3 working
  days, on time.
- a3: filed 1 Dec, answered 24 Dec: 16 working days, late. A repeat of a2 (the latest
  answer to the same applicant on the same topic before 1 Dec).
- a4: filed 17 Nov, nothing done: open and overdue since 8 Dec.
- a5: filed 17 Nov at the Astana akimat, forwarded 18 Nov to the Almaty akimat (received
  there 18 Nov: 1 working day lost, against the Astana akimat), answered there 20 Nov:
  3 working days from the first receipt, on time.
"""

from datetime import UTC, date, datetime

import pytest

from reception.extensions import db
from reception.review import services
from tests.factories import make_appeal, make_staff, store, workflow_settings


def at(day: date, hour: int = 4) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)  # 09:00 in Astana


def NOV(d):  # noqa: N802
    return date(2026, 11, d)


def DEC(d):  # noqa: N802
    return date(2026, 12, d)


TODAY = DEC(28)


def answer(appeal, official, day):
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=at(day),
        settings=workflow_settings(),
        store=store(),
        text="Done",
    )


@pytest.fixture
def history():
    from reception.appeals import citizen_actions

    settings = workflow_settings()
    official = make_staff(role="official")
    almaty = make_staff("almaty-akimat", role="official", email="official@almaty.kz")
    a1, _ = make_appeal(at(NOV(17)))
    answer(a1, official, NOV(20))
    a2, _ = make_appeal(at(NOV(17)))
    services.request_info(
        db.session,
        a2,
        actor=official,
        now=at(NOV(18)),
        settings=settings,
        text="Which flat?",
        reply_days=5,
    )
    citizen_actions.reply_to_request(
        db.session,
        a2,
        actor=None,
        now=at(NOV(23)),
        settings=settings,
        store=store(),
        text="Flat 12",
    )
    answer(a2, official, NOV(25))
    a4, _ = make_appeal(at(NOV(17)))
    a5, _ = make_appeal(at(NOV(17)))
    services.forward_appeal(
        db.session,
        a5,
        actor=official,
        now=at(NOV(18)),
        settings=settings,
        authority="almaty-akimat",
        reason="Almaty address",
    )
    answer(a5, almaty, NOV(20))
    db.session.commit()
    a3, _ = make_appeal(at(DEC(1)))
    answer(a3, official, DEC(24))
    db.session.commit()
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5}
