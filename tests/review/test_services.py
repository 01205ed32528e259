"""Each review action: what it changes, what it records and sends, and when it refuses."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from reception.appeals import citizen_actions
from reception.appeals.models import Appeal, AppealEvent
from reception.core.refusals import Refused
from reception.directory.models import AnswerTemplate, Category
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.review import services
from tests.conftest import TUESDAY_MORNING
from tests.factories import PDF_BYTES, make_appeal, make_staff, store, upload, workflow_settings

LATER = TUESDAY_MORNING + timedelta(hours=2)


@pytest.fixture
def official():
    return make_staff(role="official")


@pytest.fixture
def head():
    return make_staff(role="head")


@pytest.fixture
def appeal():
    return make_appeal(TUESDAY_MORNING)[0]


def events_of(appeal, action):
    return db.session.scalars(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id, AppealEvent.action == action)
    ).all()


def mails_of(appeal):
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appeal_id == appeal.id, OutboxMessage.template == "appeal_update"
        )
    ).all()


def at(days: int, hour: int = 5) -> datetime:
    return datetime(2026, 11, 17, hour, 0, tzinfo=UTC) + timedelta(days=days)


def test_take_moves_the_appeal_into_work_and_makes_the_official_its_executor(appeal, official):
    services.take_appeal(
        db.session, appeal, actor=official, now=LATER, settings=workflow_settings()
    )
    db.session.commit()
    assert appeal.status == "in_progress"
    assert appeal.executor == official
    assert appeal.first_action_at == LATER
    event = events_of(appeal, "take")[0]
    assert (event.from_status, event.to_status, event.actor_id) == (
        "registered",
        "in_progress",
        official.id,
    )
    assert len(mails_of(appeal)) == 1


def test_take_twice_is_refused_and_changes_nothing(appeal, official):
    services.take_appeal(
        db.session, appeal, actor=official, now=LATER, settings=workflow_settings()
    )
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.take_appeal(
            db.session, appeal, actor=official, now=LATER, settings=workflow_settings()
        )
    assert refused.value.code == "not_allowed"


def test_head_assigns_an_executor_of_the_same_body_only(appeal, head, official):
    stranger = make_staff("almaty-akimat", email="o@almaty.kz")
    with pytest.raises(Refused) as refused:
        services.assign_executor(
            db.session,
            appeal,
            actor=head,
            now=LATER,
            settings=workflow_settings(),
            executor_id=stranger.id,
        )
    assert refused.value.field == "executor"
    services.assign_executor(
        db.session,
        appeal,
        actor=head,
        now=LATER,
        settings=workflow_settings(),
        executor_id=official.id,
    )
    db.session.commit()
    assert appeal.executor == official and appeal.status == "registered"
    event = events_of(appeal, "assign")[0]
    assert not event.is_public
    assert mails_of(appeal) == []


def test_official_may_not_assign(appeal, official):
    with pytest.raises(Refused):
        services.assign_executor(
            db.session,
            appeal,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            executor_id=official.id,
        )


def test_forward_restarts_the_term_at_the_receiving_body_and_tells_the_citizen(appeal, official):
    forwarded_at = at(1)  # Wednesday 18 November, 10:00 in Astana
    services.forward_appeal(
        db.session,
        appeal,
        actor=official,
        now=forwarded_at,
        settings=workflow_settings(),
        authority="astana-almaty-district-akimat",
        reason="The district is responsible for the building.",
    )
    db.session.commit()
    assert appeal.status == "registered"
    assert appeal.authority.code == "astana-almaty-district-akimat"
    assert appeal.received_on == date(2026, 11, 18)
    assert appeal.due_on == date(2026, 12, 9)  # 15 working days from 19 November
    assert appeal.forwards_count == 1 and appeal.executor is None
    event = events_of(appeal, "forward")[0]
    assert event.data["late"] is False and event.data["from"] == "astana-akimat"
    mail = mails_of(appeal)[0]
    assert "district" in mail.body_text.lower() or "район" in mail.body_text.lower()


def test_forward_after_three_working_days_is_allowed_but_flagged_late(appeal, official):
    services.forward_appeal(
        db.session,
        appeal,
        actor=official,
        now=at(6),  # Monday 23rd
        settings=workflow_settings(),
        authority="almaty-akimat",
        reason="Wrong city",
    )
    assert events_of(appeal, "forward")[0].data["late"] is True


@pytest.mark.parametrize(
    "target, field", [("astana-akimat", "authority"), ("nowhere", "authority"), ("", "authority")]
)
def test_forward_to_the_same_or_an_unknown_body_is_refused(appeal, official, target, field):
    with pytest.raises(Refused) as refused:
        services.forward_appeal(
            db.session,
            appeal,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            authority=target,
            reason="x",
        )
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.get(Appeal, appeal.id).authority.code == "astana-akimat"


def test_forward_needs_a_reason(appeal, official):
    with pytest.raises(Refused) as refused:
        services.forward_appeal(
            db.session,
            appeal,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            authority="almaty-akimat",
            reason="  ",
        )
    assert refused.value.field == "reason"


def test_request_info_pauses_and_the_reply_resumes_with_the_paused_days_added(appeal, official):
    assert appeal.due_on == date(2026, 12, 8)
    services.request_info(
        db.session,
        appeal,
        actor=official,
        now=at(1),
        settings=workflow_settings(),
        text="Please attach the lease contract.",
        reply_days=5,
    )
    db.session.commit()
    assert appeal.status == "awaiting_citizen"
    assert appeal.paused_on == date(2026, 11, 18)
    assert appeal.info_due_on == date(2026, 11, 25)
    citizen_actions.reply_to_request(
        db.session,
        appeal,
        actor=None,
        now=at(6),
        settings=workflow_settings(),
        store=store(),
        text="Attached.",
        uploads=[upload(PDF_BYTES, "lease.pdf")],
    )
    db.session.commit()
    assert appeal.status == "in_progress" and appeal.paused_on is None
    # Paused from the 18th to Monday the 23rd: 3 working days (19, 20, 23) are added back.
    assert appeal.paused_days == 3
    assert appeal.due_on == date(2026, 12, 11)
    reply = events_of(appeal, "reply")[0]
    assert reply.data["paused_on"] == "2026-11-18" and reply.data["resumed_on"] == "2026-11-23"
    assert [a.original_name for a in appeal.attachments] == ["lease.pdf"]


@pytest.mark.parametrize("days", ["0", "31", "many", "-1"])
def test_request_info_refuses_a_bad_reply_period(appeal, official, days):
    with pytest.raises(Refused) as refused:
        services.request_info(
            db.session,
            appeal,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            text="Clarify",
            reply_days=days,
        )
    assert refused.value.field == "reply_days"


def test_reply_to_an_appeal_that_is_not_waiting_is_refused(appeal):
    with pytest.raises(Refused) as refused:
        citizen_actions.reply_to_request(
            db.session,
            appeal,
            actor=None,
            now=LATER,
            settings=workflow_settings(),
            store=store(),
            text="hi",
        )
    assert refused.value.code == "not_allowed"


def test_head_extends_within_two_months_and_the_extension_is_counted(appeal, head):
    services.extend_deadline(
        db.session,
        appeal,
        actor=head,
        now=LATER,
        settings=workflow_settings(),
        due_on="2027-01-15",
        reason="An expert opinion is needed.",
    )
    db.session.commit()
    assert appeal.due_on == date(2027, 1, 15) and appeal.extensions_count == 1
    assert "15" in mails_of(appeal)[0].body_text


@pytest.mark.parametrize("due_on", ["2027-01-18", "2026-12-01", "not a date", ""])
def test_extension_past_the_legal_limit_or_earlier_is_refused(appeal, head, due_on):
    with pytest.raises(Refused) as refused:
        services.extend_deadline(
            db.session,
            appeal,
            actor=head,
            now=LATER,
            settings=workflow_settings(),
            due_on=due_on,
            reason="Because",
        )
    assert refused.value.field == "due_on"
    db.session.rollback()
    assert db.session.get(Appeal, appeal.id).due_on == date(2026, 12, 8)


def test_official_cannot_extend(appeal, official):
    with pytest.raises(Refused) as refused:
        services.extend_deadline(
            db.session,
            appeal,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            due_on="2027-01-10",
            reason="x",
        )
    assert refused.value.code == "not_allowed"


def test_complaint_term_cannot_be_extended(head):
    complaint, _ = make_appeal(TUESDAY_MORNING, kind="complaint")
    with pytest.raises(Refused) as refused:
        services.extend_deadline(
            db.session,
            complaint,
            actor=head,
            now=LATER,
            settings=workflow_settings(),
            due_on="2027-01-10",
            reason="x",
        )
    assert "cannot be extended" in str(refused.value.message)


def test_answer_records_the_signature_and_tells_how_to_complain(appeal, official):
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        text="The heating was restored on 20 November.",
        uploads=[upload(PDF_BYTES, "act.pdf")],
    )
    db.session.commit()
    assert appeal.status == "answered" and appeal.answered_at == LATER
    event = events_of(appeal, "answer")[0]
    assert event.data["complaint_to"] == "kz-government"
    assert event.data["complain_by"] == "2027-02-17"
    assert appeal.attachments[-1].event_id == event.id
    mail = mails_of(appeal)[0]
    assert "The heating was restored" in mail.body_text
    assert "2027" in mail.body_text  # the complaint deadline


def test_empty_answer_is_refused(appeal, official):
    with pytest.raises(Refused) as refused:
        services.answer_appeal(
            db.session,
            appeal,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            store=store(),
            text="   ",
        )
    assert refused.value.field == "text"


def test_answer_email_escapes_html_from_the_text(appeal, official):
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        text="<script>alert(1)</script>",
    )
    mail = mails_of(appeal)[0]
    assert "<script>" not in mail.body_html and "&lt;script&gt;" in mail.body_html


def test_answer_template_must_fit_the_category_and_language(appeal, official):
    other = db.session.scalar(select(Category).where(Category.code == "land"))
    wrong = AnswerTemplate(category=other, language="ru", title="Land", body="...")
    db.session.add(wrong)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.answer_appeal(
            db.session,
            appeal,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            store=store(),
            text="Answer",
            template=wrong.id,
        )
    assert refused.value.field == "template"


def test_return_for_unfixed_defects_only_after_the_reply_period(appeal, official, head):
    services.request_info(
        db.session,
        appeal,
        actor=official,
        now=at(1),
        settings=workflow_settings(),
        text="Sign the appeal",
        reply_days=2,
    )
    db.session.commit()
    with pytest.raises(Refused):
        services.return_appeal(
            db.session,
            appeal,
            actor=head,
            now=at(2),
            settings=workflow_settings(),
            ground="defects_not_fixed",
        )
    db.session.rollback()
    services.return_appeal(
        db.session,
        appeal,
        actor=head,
        now=at(6),
        settings=workflow_settings(),
        ground="defects_not_fixed",
        comment="No reply was received.",
    )
    db.session.commit()
    assert appeal.status == "returned" and appeal.paused_on is None


def test_return_needs_a_legal_ground(appeal, head):
    with pytest.raises(Refused) as refused:
        services.return_appeal(
            db.session,
            appeal,
            actor=head,
            now=LATER,
            settings=workflow_settings(),
            ground="I do not like it",
        )
    assert refused.value.field == "ground"


def test_terminate_with_a_ground(appeal, head):
    services.terminate_appeal(
        db.session,
        appeal,
        actor=head,
        now=LATER,
        settings=workflow_settings(),
        ground="court_act_exists",
        comment="Case 2-123/2026",
    )
    db.session.commit()
    assert appeal.status == "terminated"
    assert events_of(appeal, "terminate")[0].data["ground"] == "court_act_exists"


def test_mark_duplicate_links_to_an_earlier_appeal(official):
    earlier, _ = make_appeal(TUESDAY_MORNING)
    later, _ = make_appeal(LATER)
    with pytest.raises(Refused):
        services.mark_duplicate(
            db.session,
            earlier,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            number=later.number,
        )
    db.session.rollback()
    services.mark_duplicate(
        db.session,
        later,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        number=earlier.number.lower(),
    )
    db.session.commit()
    assert later.status == "terminated" and later.duplicate_of_id == earlier.id


def test_note_is_internal_and_sends_nothing(appeal, official):
    services.add_note(
        db.session,
        appeal,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        text="Called the management company.",
    )
    db.session.commit()
    assert not events_of(appeal, "note")[0].is_public
    assert mails_of(appeal) == []


def test_citizen_withdraws_before_the_decision_but_not_after(appeal, official):
    citizen_actions.withdraw_appeal(
        db.session, appeal, actor=None, now=LATER, settings=workflow_settings()
    )
    db.session.commit()
    assert appeal.status == "withdrawn"
    other, _ = make_appeal(TUESDAY_MORNING)
    services.answer_appeal(
        db.session,
        other,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        text="Answer",
    )
    with pytest.raises(Refused):
        citizen_actions.withdraw_appeal(
            db.session, other, actor=None, now=LATER, settings=workflow_settings()
        )


def test_rating_closes_the_answered_appeal(appeal, official):
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        text="Answer",
    )
    for bad in ("0", "6", "five", None):
        with pytest.raises(Refused):
            citizen_actions.rate_answer(
                db.session, appeal, actor=None, now=LATER, settings=workflow_settings(), rating=bad
            )
    citizen_actions.rate_answer(
        db.session,
        appeal,
        actor=None,
        now=LATER,
        settings=workflow_settings(),
        rating="4",
        comment="Quick, thanks",
    )
    db.session.commit()
    assert appeal.status == "closed" and appeal.rating == 4 and appeal.closed_at == LATER


def test_complaint_goes_through_the_body_that_answered_then_20_days_at_the_superior(official):
    # Art. 91-100 (docs/domain.md, section 7).
    district_appeal, _ = make_appeal(TUESDAY_MORNING, authority="astana-almaty-district-akimat")
    district_official = make_staff("astana-almaty-district-akimat")
    services.answer_appeal(
        db.session,
        district_appeal,
        actor=district_official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        text="Refused",
    )
    db.session.commit()
    filed = citizen_actions.complain_about_answer(
        db.session,
        district_appeal,
        actor=None,
        now=at(7),
        settings=workflow_settings(),
        store=store(),
        text="The refusal ignores my documents.",
    )
    db.session.commit()
    complaint = filed.appeal
    assert complaint.kind == "complaint" and complaint.parent_id == district_appeal.id
    # Registered at the body that answered, which has 3 working days to act on it.
    assert complaint.authority.code == "astana-almaty-district-akimat"
    assert complaint.due_on == date(2026, 11, 27)
    assert complaint.email == district_appeal.email
    complain_event = events_of(district_appeal, "complain")[0]
    assert complain_event.data["complaint"] == complaint.number
    assert complain_event.data["reviewer"] == "astana-akimat"
    # Passed on with the case file on 25 November: 20 working days at the superior body
    # counted from the next day, with 16 December a holiday.
    services.forward_appeal(
        db.session,
        complaint,
        actor=district_official,
        now=at(8),
        settings=workflow_settings(),
        authority="astana-akimat",
        reason="Passed to the superior body with the case file.",
    )
    db.session.commit()
    assert complaint.authority.code == "astana-akimat"
    assert complaint.due_on == date(2026, 12, 24)
    assert events_of(complaint, "forward")[0].data["late"] is False


def test_complaint_after_three_months_is_refused(appeal, official):
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        text="Answer",
    )
    db.session.commit()
    with pytest.raises(Refused) as refused:
        citizen_actions.complain_about_answer(
            db.session,
            appeal,
            actor=None,
            now=LATER + timedelta(days=95),
            settings=workflow_settings(),
            store=store(),
            text="Late",
        )
    assert "passed" in str(refused.value.message)
