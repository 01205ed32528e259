"""The rules of the statutory clock, each with its article (docs/domain.md, 3, 7, 12).

Art. 64: returns within 3 working days; Art. 91: 6 months to complain when the answer
gave no complaint information; Art. 91-100: no decision on a complaint in time counts as a
refusal; section 12: a calendar change moves the terms it touches.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from reception.admin.services import holidays as calendar_services
from reception.appeals import citizen_actions
from reception.appeals.jobs import remind_deadlines
from reception.appeals.models import Appeal, AppealEvent
from reception.core.refusals import Refused
from reception.directory.models import HolidayOverride
from reception.extensions import db
from reception.monitoring import queries as figures
from reception.monitoring.filters import DashboardFilters
from reception.notifications.models import OutboxMessage
from reception.review import services
from reception.terms.history import appeal_term_steps
from reception.terms.recalc import count_moves
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff, make_user, store, workflow_settings


def at(day: date, hour: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)  # 10:00 in Almaty


def events(appeal, action):
    return db.session.scalars(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id, AppealEvent.action == action)
    ).all()


def mails(template, recipient=None):
    query = select(OutboxMessage).where(OutboxMessage.template == template)
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient)
    return db.session.scalars(query).all()


def totals(today=date(2027, 3, 1)):
    window = DashboardFilters(date_from=date(2026, 1, 1), date_to=date(2027, 12, 31))
    return figures.combine(
        figures.compute_figures(db.session, window, None, today=today, soon=today)
    )


@pytest.fixture
def official():
    return make_staff(role="official")


@pytest.fixture
def head():
    return make_staff(role="head")


# --- Art. 64: the return within 3 working days --------------------------------------


def ask_for_fixes(appeal, official):
    # Registered Tuesday 17 November 2026; reply by Thursday 19 November.
    services.request_info(
        db.session,
        appeal,
        actor=official,
        now=TUESDAY_MORNING + timedelta(hours=1),
        settings=workflow_settings(),
        text="Please attach the contract.",
        reply_days=2,
    )
    db.session.commit()
    assert appeal.info_due_on == date(2026, 11, 19)


def return_on(appeal, head, day, ground="defects_not_fixed"):
    event = services.return_appeal(
        db.session, appeal, actor=head, now=at(day), settings=workflow_settings(), ground=ground
    )
    db.session.commit()
    return event


def test_art64_return_of_unfixed_defects_within_3_working_days_is_on_time(official, head):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    ask_for_fixes(appeal, official)
    event = return_on(appeal, head, date(2026, 11, 24))  # the 3rd working day after 19 Nov
    assert event.data["return_by"] == "2026-11-24" and event.data["late"] is False
    assert appeal.returned_late is False


def test_art64_return_after_3_working_days_is_flagged_late_and_counted(official, head):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    ask_for_fixes(appeal, official)
    event = return_on(appeal, head, date(2026, 11, 25))
    assert event.data["late"] is True and appeal.returned_late is True
    assert totals().late_returns == 1


@pytest.mark.parametrize("ground", ["repeat_without_new_arguments", "insulting_language"])
def test_art64_return_of_a_repeat_or_insults_is_late_on_any_day_after_the_limit(head, ground):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    # Registered 17 November: the limit is Friday 20 November; Saturday 21 is late.
    assert return_on(appeal, head, date(2026, 11, 20), ground).data["late"] is False
    other, _ = make_appeal(TUESDAY_MORNING)
    assert return_on(other, head, date(2026, 11, 21), ground).data["late"] is True


def test_art64_the_job_reminds_the_executor_once_when_the_reply_period_has_passed(official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    services.take_appeal(
        db.session, appeal, actor=official, now=TUESDAY_MORNING, settings=workflow_settings()
    )
    ask_for_fixes(appeal, official)
    on_reply_day = remind_deadlines(
        db.session, now=at(date(2026, 11, 19)), settings=workflow_settings()
    )
    assert on_reply_day.return_reminders == 0
    day_after = remind_deadlines(
        db.session, now=at(date(2026, 11, 20)), settings=workflow_settings()
    )
    db.session.commit()
    assert day_after.return_reminders == 1
    again = remind_deadlines(
        db.session, now=at(date(2026, 11, 20), 9), settings=workflow_settings()
    )
    assert again.return_reminders == 0
    [mail] = mails("return_reminder")
    assert mail.recipient == official.email and appeal.number in mail.subject
    assert "November 24, 2026" in mail.body_text or "24" in mail.body_text


def test_art64_without_an_executor_the_heads_are_reminded(official, head):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    ask_for_fixes(appeal, official)
    remind_deadlines(db.session, now=at(date(2026, 11, 20)), settings=workflow_settings())
    assert [m.recipient for m in mails("return_reminder")] == [head.email]


# --- Art. 91: 3 or 6 months to complain ---------------------------------------------


def answer(appeal, official, complaint_info):
    event = services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=at(date(2026, 11, 20)),
        settings=workflow_settings(),
        store=store(),
        text="Answer on the merits.",
        complaint_info=complaint_info,
    )
    db.session.commit()
    return event


def complain(appeal, day):
    return citizen_actions.complain_about_answer(
        db.session,
        appeal,
        actor=None,
        now=at(day),
        settings=workflow_settings(),
        store=store(),
        text="I disagree.",
    )


def test_art91_six_months_to_complain_when_the_answer_gave_no_complaint_information(official):
    appeal, _ = make_appeal(TUESDAY_MORNING, language="en")
    event = answer(appeal, official, "no")
    assert appeal.complaint_info_given is False
    assert event.data["complain_by"] == "2027-05-20"
    assert citizen_actions.complaint_deadline(appeal, workflow_settings()) == date(2027, 5, 20)
    complain(appeal, date(2027, 4, 1))  # four months on: still in time
    db.session.commit()
    [notice] = [m for m in mails("appeal_update") if "Answer on the merits" in m.body_text]
    assert "within 6 months" in notice.body_text


@pytest.mark.parametrize("given", [None, "yes", True])
def test_art91_three_months_when_the_answer_explained_how_to_complain(official, given):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    event = answer(appeal, official, given)
    assert appeal.complaint_info_given is True and event.data["complain_by"] == "2027-02-20"
    with pytest.raises(Refused):
        complain(appeal, date(2027, 4, 1))


def test_art91_answers_recorded_before_the_flag_keep_three_months(official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    answer(appeal, official, None)
    appeal.complaint_info_given = None
    assert citizen_actions.complaint_deadline(appeal, workflow_settings()) == date(2027, 2, 20)


def test_art91_the_answer_form_records_an_unticked_box(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    assert (
        client.post("/login", data={"email": official.email, "password": PASSWORD}).status_code
        == 302
    )
    page = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    assert 'name="complaint_info" value="yes"' in page and "checked" in page
    response = client.post(
        f"/review/appeals/{appeal.number}/actions/answer",
        data={"text": "Answer.", "complaint_info": "no"},  # an unticked box: only the hidden "no"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).complaint_info_given is False


# --- Art. 91-100: no decision on a complaint in time counts as a refusal -------------


def test_art100_a_complaint_without_a_decision_in_time_is_deemed_refused(head):
    complaint, _ = make_appeal(TUESDAY_MORNING, kind="complaint", language="ru")
    due = complaint.due_on
    settings = workflow_settings()
    assert remind_deadlines(db.session, now=at(due), settings=settings).deemed_refused == 0
    day_after = due + timedelta(days=1)
    assert remind_deadlines(db.session, now=at(day_after), settings=settings).deemed_refused == 1
    db.session.commit()
    assert remind_deadlines(db.session, now=at(day_after, 9), settings=settings).deemed_refused == 0
    [event] = events(complaint, "deemed_refused")
    assert event.is_public and event.data["due_on"] == due.isoformat()
    assert complaint.deemed_refused_on == day_after and complaint.status == "registered"
    notice = mails("appeal_update", complaint.email)[-1]
    assert notice.appeal_id == complaint.id
    assert "court" in notice.body_text or "суд" in notice.body_text
    assert totals().deemed_refused == 1


def test_art100_other_kinds_and_answered_complaints_are_not_deemed_refused(official):
    late_application, _ = make_appeal(TUESDAY_MORNING)
    answered, _ = make_appeal(TUESDAY_MORNING, kind="complaint")
    answer(answered, official, None)
    report = remind_deadlines(db.session, now=at(date(2027, 2, 1)), settings=workflow_settings())
    assert report.deemed_refused == 0


# --- Section 12: a calendar change moves the terms it touches -------------------------


def add_day_off(day, admin=None):
    calendar_services.add_holiday(
        db.session,
        {"day": day.isoformat(), "kind": "day_off", "note": "Decree 7"},
        actor=admin,
        now=at(date(2026, 11, 18)),
    )
    db.session.commit()


def test_a_day_off_added_inside_a_term_moves_it_and_tells_the_applicant():
    appeal, _ = make_appeal(TUESDAY_MORNING)  # due Tuesday 8 December
    outside, _ = make_appeal(TUESDAY_MORNING + timedelta(days=30))
    assert count_moves(db.session, date(2026, 11, 20), "day_off") == 1
    add_day_off(date(2026, 11, 20))
    assert appeal.due_on == date(2026, 12, 9)
    [event] = events(appeal, "term_moved")
    assert event.data == {"day": "2026-11-20", "from": "2026-12-08", "to": "2026-12-09", "by": None}
    told = [m for m in mails("appeal_update") if m.appeal_id == appeal.id]
    assert any("9 декабря 2026" in m.body_text for m in told)  # the appeal is in Russian
    assert events(outside, "term_moved") == []
    steps = appeal_term_steps(db.session, appeal)
    assert [s.code for s in steps][-1] == "due" and "recalculated" in [s.code for s in steps]
    # Removing it moves the term back.
    override = db.session.scalar(select(HolidayOverride))
    calendar_services.remove_holiday(db.session, override, actor=None, now=at(date(2026, 11, 19)))
    db.session.commit()
    assert appeal.due_on == date(2026, 12, 8) and len(events(appeal, "term_moved")) == 2


def test_an_extended_date_moves_only_when_it_stops_being_a_working_day(head):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    services.extend_deadline(
        db.session,
        appeal,
        actor=head,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        due_on="2026-12-29",
        reason="Expert opinion",
    )
    db.session.commit()
    add_day_off(date(2026, 11, 20))
    assert appeal.due_on == date(2026, 12, 29)
    add_day_off(date(2026, 12, 29))
    assert appeal.due_on == date(2026, 12, 30)


def test_the_administrator_sees_how_many_appeals_move_before_saving(client):
    admin = make_user(role="admin", email="admin@example.kz")
    make_appeal(TUESDAY_MORNING)
    assert (
        client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    )
    data = {"day": "2026-11-20", "kind": "day_off", "note": "Decree 7"}
    first = client.post("/admin/holidays", data=data)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "moves the due date of 1 undecided appeal" in html
    assert db.session.scalar(select(HolidayOverride)) is None
    confirmed = client.post("/admin/holidays", data={**data, "confirm_moves": "yes"})
    assert confirmed.status_code == 302
    page = client.get("/admin/holidays").get_data(as_text=True)
    assert "Removing it moves the due date of 1 appeal" in page


# --- Section 5: a calendar that says what it does not know ----------------------------


def test_admin_page_and_dashboard_say_which_years_have_no_confirmed_transfers(client):
    admin = make_user(role="admin", email="admin@example.kz")
    assert (
        client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    )
    page = client.get("/admin/holidays").get_data(as_text=True)
    assert "What the calendar knows" in page and "estimated" in page.lower()
    dashboard = client.get("/monitoring/").get_data(as_text=True)
    assert "knows no decreed transfer of days off for" in dashboard


# --- Art. 88: anonymous appeals and reports of a crime --------------------------------


def test_art88_an_anonymous_appeal_is_stopped_only_with_the_reason_recorded(head):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    settings = workflow_settings()
    with pytest.raises(Refused) as refused:
        services.terminate_appeal(
            db.session,
            appeal,
            actor=head,
            now=TUESDAY_MORNING,
            settings=settings,
            ground="anonymous",
            comment="  ",
        )
    assert refused.value.field == "comment"
    db.session.rollback()
    event = services.terminate_appeal(
        db.session,
        appeal,
        actor=head,
        now=TUESDAY_MORNING,
        settings=settings,
        ground="anonymous",
        comment="No name and no postal address.",
    )
    db.session.commit()
    assert appeal.status == "terminated" and event.comment == "No name and no postal address."
    assert event.data == {"ground": "anonymous"}


def test_art88_a_crime_report_is_forwarded_at_once_and_flagged_urgent(client, official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    event = services.forward_appeal(
        db.session,
        appeal,
        actor=official,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        authority="almaty-akimat",
        reason="A threat to public safety",
        crime_report="yes",
    )
    db.session.commit()
    assert event.data["urgent"] is True and appeal.urgent is True
    receiver = make_staff("almaty-akimat", email="official@almaty.kz")
    assert (
        client.post("/login", data={"email": receiver.email, "password": PASSWORD}).status_code
        == 302
    )
    assert "Urgent" in client.get("/review/").get_data(as_text=True)
    page = client.get(f"/review/appeals/{appeal.number}").get_data(as_text=True)
    assert "Urgent: a report of a crime or a threat (Art. 88)" in page


def test_art88_an_ordinary_forward_is_not_urgent(official):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    event = services.forward_appeal(
        db.session,
        appeal,
        actor=official,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        authority="almaty-akimat",
        reason="Not ours",
        crime_report="no",
    )
    assert "urgent" not in event.data and not appeal.urgent


# --- Art. 91-100: complaints go through the body that answered ------------------------


def district_complaint():
    district_appeal, _ = make_appeal(TUESDAY_MORNING, authority="astana-almaty-district-akimat")
    district_official = make_staff("astana-almaty-district-akimat")
    services.answer_appeal(
        db.session,
        district_appeal,
        actor=district_official,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        store=store(),
        text="Refused: no documents.",
    )
    db.session.commit()
    filed = complain(district_appeal, date(2026, 11, 24))
    db.session.commit()
    return filed.appeal, district_official


def test_art91_the_body_that_answered_sees_the_case_file_and_passes_it_on(client):
    complaint, district_official = district_complaint()
    assert (
        client.post(
            "/login", data={"email": district_official.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    page = client.get(f"/review/appeals/{complaint.number}").get_data(as_text=True)
    assert "Case file" in page and "Refused: no documents." in page
    assert 'name="authority" value="astana-akimat"' in page
    response = client.post(
        f"/review/appeals/{complaint.number}/actions/forward",
        data={"authority": "astana-akimat", "reason": "Passed with the case file."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Appeal, complaint.id)
    assert stored.authority.code == "astana-akimat" and stored.forwards_count == 1
    superior_head = make_staff("astana-akimat", role="head", email="head@astana.kz")
    client.post("/logout")
    assert (
        client.post("/login", data={"email": superior_head.email, "password": PASSWORD}).status_code
        == 302
    )
    page = client.get(f"/review/appeals/{complaint.number}").get_data(as_text=True)
    assert "Case file" in page and "Refused: no documents." in page
    assert 'name="authority" value="astana-akimat"' not in page  # no passing on from here


def test_art91_the_body_that_answered_may_satisfy_the_complaint_itself():
    complaint, district_official = district_complaint()
    services.answer_appeal(
        db.session,
        complaint,
        actor=district_official,
        now=at(date(2026, 11, 25)),
        settings=workflow_settings(),
        store=store(),
        text="You are right: the permit is issued.",
    )
    db.session.commit()
    assert complaint.status == "answered" and complaint.answered_on_time is True


def test_art100_a_complaint_not_passed_on_is_overdue_at_its_body_not_deemed_refused():
    complaint, _ = district_complaint()
    head = make_staff("astana-almaty-district-akimat", role="head", email="head@district.kz")
    report = remind_deadlines(db.session, now=at(date(2026, 12, 1)), settings=workflow_settings())
    assert report.deemed_refused == 0 and report.alerts >= 1
    assert head.email in [m.recipient for m in mails("overdue_alert")]
