"""'Was your problem resolved?': asked once per answer, answered through signed links."""

import re

import pytest
from flask import current_app
from sqlalchemy import select

from reception.appeals import survey
from reception.appeals.models import AppealEvent
from reception.extensions import db
from reception.monitoring.figures import LoopFigures
from reception.notifications.models import OutboxMessage
from reception.review import services
from tests.factories import make_appeal, make_staff, workflow_settings
from tests.loop.conftest import DEC, NOV, answer, at


def ask(day, hour=4):
    asked = survey.ask_whether_resolved(
        db.session,
        now=at(day, hour),
        settings=workflow_settings(),
        survey=survey.SurveySettings.from_config(current_app.config),
        secret_key=current_app.config["SECRET_KEY"],
    )
    db.session.commit()
    return asked


def survey_mails():
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "resolution_survey")
        .order_by(OutboxMessage.id)
    ).all()


def links(message):
    return re.findall(r"https?://\S+/survey/(\S+)", message.body_text)


@pytest.fixture
def answered():
    official = make_staff(role="official")
    appeal, _ = make_appeal(at(NOV(17)), language="kk")
    answer(appeal, official, NOV(20))
    db.session.commit()
    return appeal


def test_asked_after_ten_working_days_once_even_if_the_job_runs_twice(answered):
    # Answered Friday 20 Nov: 10 working days later is Friday 4 Dec.
    assert ask(DEC(3)) == 0
    assert ask(DEC(4)) == 1
    assert ask(DEC(4), hour=10) == 0  # the second run of the day
    assert ask(DEC(7)) == 0
    [message] = survey_mails()
    assert message.recipient == answered.email
    assert message.dedupe_key.startswith(f"survey:{answered.id}:")
    # In the appeal's language (Kazakh here), with two distinct one-click links.
    assert "Құрметті" in message.body_text
    yes, no = links(message)
    assert yes != no


def test_a_new_answer_is_asked_about_again(answered):
    ask(DEC(4))
    official = make_staff(role="official", email="second@example.kz")
    appeal, _ = make_appeal(at(DEC(1)), email="other@example.kz", iin="")
    answer(appeal, official, DEC(2))
    db.session.commit()
    assert ask(DEC(17)) == 1  # only the new answer; the first one was asked about already


@pytest.mark.parametrize("ending", ["withdraw", "return", "terminate"])
def test_never_asked_about_appeals_without_an_answer(ending):
    from reception.appeals import citizen_actions

    settings = workflow_settings()
    official = make_staff(role="head")
    appeal, _ = make_appeal(at(NOV(17)))
    if ending == "withdraw":
        citizen_actions.withdraw_appeal(
            db.session, appeal, actor=None, now=at(NOV(18)), settings=settings
        )
    elif ending == "return":
        services.return_appeal(
            db.session,
            appeal,
            actor=official,
            now=at(NOV(18)),
            settings=settings,
            ground="insulting_language",
            comment="Insults",
        )
    else:
        services.terminate_appeal(
            db.session,
            appeal,
            actor=official,
            now=at(NOV(18)),
            settings=settings,
            ground="same_subject_decided",
            comment="Decided",
        )
    db.session.commit()
    assert ask(DEC(21)) == 0


def test_opening_a_link_changes_nothing_the_button_records_an_event(client, answered):
    ask(DEC(4))
    yes, _no = links(survey_mails()[0])
    page = client.get(f"/survey/{yes}")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    db.session.refresh(answered)
    assert answered.resolved is None  # a mail scanner's prefetch records nothing
    done = client.post(f"/survey/{yes}", data={"choice": "yes", "comment": "  Warm  again "})
    assert done.status_code == 200
    db.session.refresh(answered)
    assert answered.resolved is True
    event = db.session.scalars(
        select(AppealEvent).where(
            AppealEvent.appeal_id == answered.id, AppealEvent.action == "resolved"
        )
    ).one()
    assert event.comment == "Warm again" and event.is_public is False
    assert event.to_status == answered.status


def test_not_resolved_offers_the_filled_in_complaint(client, answered):
    ask(DEC(4))
    _yes, no = links(survey_mails()[0])
    done = client.post(f"/survey/{no}", data={"choice": "no"})
    assert done.status_code == 200
    db.session.refresh(answered)
    assert answered.resolved is False
    page = done.get_data(as_text=True)
    assert f"/my/appeals/{answered.number}#complain" in page
    # The browser may now see the appeal and file the complaint from its status page.
    status = client.get(f"/my/appeals/{answered.number}")
    assert status.status_code == 200
    assert 'id="complain"' in status.get_data(as_text=True)


def test_forged_expired_or_mismatched_links_are_refused(client, answered, app):
    ask(DEC(4))
    yes, _ = links(survey_mails()[0])
    assert client.get(f"/survey/{yes[:-2]}xx").status_code == 404
    other = make_appeal(at(NOV(17)))[0]
    event = db.session.scalars(
        select(AppealEvent).where(
            AppealEvent.appeal_id == answered.id, AppealEvent.action == "answer"
        )
    ).one()
    # Signed, but naming an answer of another appeal: refused.
    forged = survey.make_token(app.config["SECRET_KEY"], other, event, "yes")
    assert client.get(f"/survey/{forged}").status_code == 404
    # Signed with another key: refused.
    foreign = survey.make_token("another-secret", answered, event, "yes")
    assert client.post(f"/survey/{foreign}", data={"choice": "yes"}).status_code == 404
    app.config["RECEPTION_SURVEY_LINK_DAYS"] = -1
    try:
        expired = client.get(f"/survey/{yes}")
    finally:
        app.config["RECEPTION_SURVEY_LINK_DAYS"] = 60
    assert expired.status_code == 404
    db.session.refresh(answered)
    assert answered.resolved is None


def test_resolution_share_counts_the_latest_answer_of_each_applicant(client, answered):
    ask(DEC(4))
    yes, no = links(survey_mails()[0])
    client.post(f"/survey/{no}", data={"choice": "no"})
    client.post(f"/survey/{yes}", data={"choice": "yes"})  # changed their mind
    from reception.directory.queries import get_calendar
    from reception.monitoring.figures import dashboard_figures
    from reception.monitoring.filters import DashboardFilters

    result = dashboard_figures(
        db.session,
        DashboardFilters(date_from=NOV(1), date_to=DEC(31)),
        None,
        today=DEC(28),
        calendar=get_calendar(db.session, "KZ"),
    )
    assert isinstance(result.total, LoopFigures)
    assert (result.total.surveyed, result.total.resolved) == (1, 1)
    assert result.total.resolution_share == 1
    events = db.session.scalars(
        select(AppealEvent.action).where(
            AppealEvent.appeal_id == answered.id,
            AppealEvent.action.in_(("resolved", "not_resolved")),
        )
    ).all()
    assert sorted(events) == ["not_resolved", "resolved"]
