"""The daily deadline job: reminders, overdue alerts, closing unrated answers."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from reception.appeals.jobs import remind_deadlines
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.review import services
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_appeal, make_staff, store, workflow_settings


def staff_mail(template):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)).all()


def test_executor_is_reminded_once_of_a_term_ending_soon():
    official = make_staff(role="official")
    appeal, _ = make_appeal(TUESDAY_MORNING)  # due 8 December
    services.take_appeal(
        db.session, appeal, actor=official, now=TUESDAY_MORNING, settings=workflow_settings()
    )
    db.session.commit()
    too_early = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert remind_deadlines(db.session, now=too_early, settings=workflow_settings()).reminders == 0
    morning = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)  # Friday: 2 working days left
    assert remind_deadlines(db.session, now=morning, settings=workflow_settings()).reminders == 1
    db.session.commit()
    again = remind_deadlines(
        db.session, now=morning + timedelta(hours=6), settings=workflow_settings()
    )
    db.session.commit()
    assert again.reminders == 0
    [reminder] = staff_mail("deadline_reminder")
    assert reminder.recipient == official.email and appeal.number in reminder.subject


def test_heads_are_alerted_once_about_an_overdue_appeal():
    head = make_staff(role="head")
    appeal, _ = make_appeal(TUESDAY_MORNING)
    day_after = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)
    for hours in (0, 8):
        remind_deadlines(
            db.session, now=day_after + timedelta(hours=hours), settings=workflow_settings()
        )
        db.session.commit()
    [alert] = staff_mail("overdue_alert")
    assert alert.recipient == head.email and appeal.number in alert.body_text


def test_waiting_for_the_citizen_is_never_overdue():
    make_staff(role="head")
    official = make_staff(role="official")
    appeal, _ = make_appeal(TUESDAY_MORNING)
    services.request_info(
        db.session,
        appeal,
        actor=official,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        text="Clarify",
        reply_days=30,
    )
    db.session.commit()
    report = remind_deadlines(
        db.session, now=datetime(2026, 12, 20, 4, tzinfo=UTC), settings=workflow_settings()
    )
    assert report.alerts == 0


def test_unrated_answers_close_after_the_configured_period():
    official = make_staff(role="official")
    appeal, _ = make_appeal(TUESDAY_MORNING)
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        store=store(),
        text="Answer",
    )
    db.session.commit()
    assert (
        remind_deadlines(
            db.session, now=TUESDAY_MORNING + timedelta(days=29), settings=workflow_settings()
        ).closed
        == 0
    )
    assert (
        remind_deadlines(
            db.session, now=TUESDAY_MORNING + timedelta(days=30), settings=workflow_settings()
        ).closed
        == 1
    )
    db.session.commit()
    assert appeal.status == "closed" and appeal.events[-1].action == "close"


def test_deadlines_remind_command_runs(app):
    result = app.test_cli_runner().invoke(args=["deadlines", "remind"])
    assert result.exit_code == 0 and "reminders" in result.output
