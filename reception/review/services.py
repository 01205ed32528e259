"""Use-cases of the officials' side; each takes the actor and the clock as arguments.

Each checks first that the action is allowed, then its input, and only then changes
the appeal, through `apply_transition`, so a refusal leaves nothing changed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.appeals.events import record_event
from reception.appeals.models import Appeal, AppealEvent
from reception.appeals.publishing import preview_answer, redaction_records
from reception.appeals.queries import get_appeal_by_number
from reception.appeals.visibility import staff_may_view
from reception.appeals.workflow import (
    NOT_ALLOWED,
    WorkflowSettings,
    apply_transition,
    check_files,
    ensure_allowed,
    optional_text,
    pause_ended,
    required_text,
    save_attachments,
)
from reception.core.files import AttachmentStore, Upload
from reception.core.i18n import lazy_gettext as _l
from reception.core.i18n import local_date
from reception.core.inputs import InputError, parse_date, parse_int
from reception.core.refusals import Refused
from reception.directory.models import AnswerTemplate
from reception.directory.queries import get_authority
from reception.domain.deadlines import (
    complaint_filing_deadline,
    extension_due_date,
    is_late_forward,
    is_late_return,
    registration_date,
    return_limit,
)
from reception.domain.placeholders import find_placeholders
from reception.domain.workflow import (
    AUTHORITY_ROLES,
    RETURN_GROUNDS,
    TERMINATION_GROUNDS,
    Action,
    AppealStatus,
    Record,
    Role,
)

MAX_COMMENT = 4_000
MAX_ANSWER = 20_000
# One message for every executor, body or appeal the actor may not name: an unknown one,
# another body's, an inactive one. Nothing tells which of these it was.
CHOOSE_EXECUTOR = _l("Choose an official of this body.")
CHOOSE_AUTHORITY = _l("Choose a state body from the list.")
EARLIER_APPEAL = _l("Enter the number of an earlier appeal.")


def take_appeal(
    session: Session, appeal: Appeal, *, actor: User, now: datetime, settings: WorkflowSettings
) -> AppealEvent:
    """Take the appeal into work; whoever takes it becomes the executor if none is set."""
    return apply_transition(
        session,
        appeal,
        "take",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        changes={"executor": appeal.executor or actor},
    )


def list_executors(session: Session, authority_id: int) -> list[User]:
    """The people of an authority who may execute appeals."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.authority_id == authority_id,
                User.is_active,
                User.role.in_(AUTHORITY_ROLES),
            )
            .order_by(User.full_name)
        )
    )


def assign_executor(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    executor_id,
) -> AppealEvent:
    """Choose who prepares the answer (the head's decision, an internal event)."""
    ensure_allowed(appeal, "assign", actor.role)
    executor = next(
        (u for u in list_executors(session, appeal.authority_id) if str(u.id) == str(executor_id)),
        None,
    )
    if executor is None:
        raise Refused("invalid", CHOOSE_EXECUTOR, "executor")
    return apply_transition(
        session,
        appeal,
        "assign",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=executor.full_name or executor.email,
        data={"executor_id": executor.id},
        changes={"executor": executor},
    )


def forward_appeal(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    authority,
    reason,
    crime_report=None,
) -> AppealEvent:
    """Send the appeal to the competent body (Art. 65); its term starts again there.

    `crime_report`: a report of a crime or of a threat to security (Art. 88), forwarded at
    once to the competent body and flagged urgent there, even when it is anonymous.
    """
    ensure_allowed(appeal, "forward", actor.role)
    code = optional_text(authority, "authority", 64)
    target = get_authority(session, code) if code else None
    if target is None:
        raise Refused("invalid", CHOOSE_AUTHORITY, "authority")
    if target.id == appeal.authority_id:
        raise Refused(
            "invalid", _l("The appeal is already with this body. Choose another one."), "authority"
        )
    reason = required_text(reason, "reason", MAX_COMMENT)
    urgent = is_yes(crime_report, default=False)
    calendar = settings.calendar(session)
    received_before = appeal.received_on or appeal.registered_on
    late = is_late_forward(received_before, settings.local_date(now), settings.rules, calendar)
    # The receiving body gets it today (the next working day after the cut-off); its term
    # runs from the day after that.
    received_on = registration_date(now, settings.rules, calendar)
    due_on = calendar.add_working_days(received_on, settings.rules.term_for(appeal.kind))
    return apply_transition(
        session,
        appeal,
        "forward",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=reason,
        data={
            "from": appeal.authority.code,
            "to": target.code,
            "late": late,
            "received_on": received_on.isoformat(),
            "due_on": due_on.isoformat(),
            **({"urgent": True} if urgent else {}),
            # A group stays within one body: a forwarded appeal leaves its group.
            **({"left_group": appeal.group_id} if appeal.group_id else {}),
        },
        changes={
            **({"urgent": True} if urgent else {}),
            "authority": target,
            "received_on": received_on,
            "due_on": due_on,
            "executor": None,
            "forwards_count": appeal.forwards_count + 1,
            "forwarded_from_id": appeal.authority_id,
            "group_id": None,
        },
    )


def request_info(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    text,
    reply_days=None,
) -> AppealEvent:
    """Ask the applicant to fix defects or clarify; the term stops until they reply."""
    ensure_allowed(appeal, "request_info", actor.role)
    text = required_text(text, "text", MAX_COMMENT)
    try:
        days = parse_int(reply_days, default=settings.reply_days)
    except InputError:
        days = -1
    if not 1 <= days <= settings.reply_days_max:
        raise Refused(
            "invalid",
            _l("Give a reply period from 1 to %(n)d working days.", n=settings.reply_days_max),
            "reply_days",
        )
    today = settings.local_date(now)
    reply_by = settings.calendar(session).add_working_days(today, days)
    return apply_transition(
        session,
        appeal,
        "request_info",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=text,
        data={"reply_days": days, "reply_by": reply_by.isoformat(), "paused_on": today.isoformat()},
        changes={"paused_on": today, "info_due_on": reply_by},
    )


def _parse_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value or "").strip()[:10])
    except InputError:
        return None


def extend_deadline(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    due_on,
    reason,
) -> AppealEvent:
    """Move the due date by a motivated decision of the head (Art. 76)."""
    ensure_allowed(appeal, "extend", actor.role)
    if not settings.rules.can_extend(appeal.kind):
        raise Refused(
            "not_allowed", _l("The term of a complaint cannot be extended (Art. 99)."), "due_on"
        )
    new_due = _parse_date(due_on)
    if new_due is None:
        raise Refused("invalid", _l("Enter the new due date."), "due_on")
    # Art. 76: the term ends on a working day, and never later than 2 months after the
    # decision (docs/domain.md, section 5: an extension on a non-working day).
    landing = extension_due_date(
        new_due, settings.local_date(now), settings.rules, settings.calendar(session)
    )
    if landing.due_on <= appeal.due_on:
        raise Refused(
            "invalid", _l("The new due date must be later than the current one."), "due_on"
        )
    if not landing.allowed and new_due <= landing.limit:
        raise Refused(
            "invalid",
            _l(
                "%(date)s is not a working day, and the next working day, %(next)s, is past "
                "the limit of %(n)d months from the decision: choose a working day until "
                "%(latest)s.",
                date=local_date(new_due),
                next=local_date(landing.due_on),
                n=settings.rules.extension_max_months,
                latest=local_date(landing.latest),
            ),
            "due_on",
        )
    if not landing.allowed:
        raise Refused(
            "invalid",
            _l(
                "The law allows at most %(n)d months from the decision: choose a date "
                "until %(date)s.",
                n=settings.rules.extension_max_months,
                date=local_date(landing.latest),
            ),
            "due_on",
        )
    reason = required_text(reason, "reason", MAX_COMMENT)
    return apply_transition(
        session,
        appeal,
        "extend",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=reason,
        data={
            "from": appeal.due_on.isoformat(),
            "to": landing.due_on.isoformat(),
            **({"asked": new_due.isoformat(), "moved": True} if landing.moved else {}),
        },
        changes={"due_on": landing.due_on, "extensions_count": appeal.extensions_count + 1},
    )


def list_answer_templates(session: Session, appeal: Appeal) -> list[AnswerTemplate]:
    """Templates for the appeal's category and language, then the general ones."""
    return list(
        session.scalars(
            select(AnswerTemplate)
            .where(
                AnswerTemplate.is_active,
                AnswerTemplate.language == appeal.language,
                (AnswerTemplate.category_id == appeal.category_id)
                | AnswerTemplate.category_id.is_(None),
            )
            .order_by(AnswerTemplate.category_id.is_(None), AnswerTemplate.title)
        )
    )


def get_answer_template(session: Session, template_id, appeal: Appeal) -> AnswerTemplate | None:
    if template_id in (None, ""):
        return None
    matches = [t for t in list_answer_templates(session, appeal) if str(t.id) == str(template_id)]
    if not matches:
        raise Refused("invalid", _l("Choose a template from the list."), "template")
    return matches[0]


def is_yes(value, *, default: bool) -> bool:
    """A form's checkbox or an API's flag: "yes"/"no", true/false, absent is the default."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if not text:
        return default
    return text in ("yes", "true", "1", "on")


def complaint_info_given(value) -> bool:
    """A form's or an API's "the answer explains how to complain": yes unless said no."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() not in ("no", "false", "0", "off")


def placeholder_message(text: str):
    """The refusal for an answer with a template's blank left in it, or None."""
    blanks = find_placeholders(text)
    if not blanks:
        return None
    return _l(
        "Fill in or delete the template's blank before sending: %(placeholders)s",
        placeholders=", ".join(blanks),
    )


def check_no_placeholders(text: str) -> None:
    """Refuse an answer that still holds a blank like "[норма закона]" (it would reach the
    applicant, their status page and the public statistics)."""
    message = placeholder_message(text)
    if message is not None:
        raise Refused("invalid", message, "text")


def answer_appeal(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    store: AttachmentStore,
    text,
    uploads=(),
    template=None,
    complaint_info=None,
    hide=None,
    hide_reason="",
    others=(),
) -> AppealEvent:
    """Give the reasoned answer, with how and where to complain about it.

    `complaint_info`: whether the answer explains how to complain (Art. 91); absent means
    it does. Without it the applicant has 6 months to complain instead of 3.

    The published copy is made here, once: the scanner's findings and the official's extra
    words to `hide` are replaced by tokens, and each redaction is recorded on the event
    (kind, reason, actor; never the hidden text).
    """
    ensure_allowed(appeal, "answer", actor.role)
    text = required_text(text, "text", MAX_ANSWER)
    check_no_placeholders(text)
    hide_reason = optional_text(hide_reason, "hide_reason", 200)
    preview = preview_answer(appeal, text, hide, others)
    uploads: list[Upload] = list(uploads)
    check_files(uploads, settings.filing.limits)
    template = get_answer_template(session, template, appeal)
    superior = appeal.authority.superior or appeal.authority
    today = settings.local_date(now)
    info_given = complaint_info_given(complaint_info)
    complain_by = complaint_filing_deadline(today, settings.rules, complaint_info_given=info_given)
    days = settings.calendar(session).working_days_between(appeal.registered_on, today)
    event = apply_transition(
        session,
        appeal,
        "answer",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=text,
        data={
            "signed_by": actor.full_name or actor.email,
            "position": actor.position,
            "complaint_to": superior.code,
            "complain_by": complain_by.isoformat(),
            "template_id": template.id if template else None,
            "complaint_info_given": info_given,
            "redactions": redaction_records(preview, actor.id, hide_reason),
        },
        changes={
            "complaint_info_given": info_given,
            "published_answer": preview.published,
            "answered_at": now,
            "answer_days": max(days - appeal.paused_days, 0),
            "answered_on_time": today <= appeal.due_on,
        },
    )
    save_attachments(session, appeal, event, uploads, store, now)
    return event


def _end_consideration(
    session: Session,
    appeal: Appeal,
    action: str,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    comment,
    data: dict,
    changes: dict | None = None,
) -> AppealEvent:
    """End the consideration (return, terminate, duplicate): a pause ends with it."""
    return apply_transition(
        session,
        appeal,
        action,
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=optional_text(comment, "comment", MAX_COMMENT),
        data=data,
        changes={**(changes or {}), **pause_ended(session, appeal, now, settings)},
    )


def return_appeal(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    ground,
    comment="",
) -> AppealEvent:
    """Return the appeal with reasons (Art. 64): defects unfixed, a repeat, insults."""
    ensure_allowed(appeal, Action.return_, actor.role)
    ground = str(ground or "").strip()
    if ground not in RETURN_GROUNDS:
        raise Refused("invalid", _l("Choose the ground for the return."), "ground")
    if ground == "defects_not_fixed" and (
        appeal.status != AppealStatus.awaiting_citizen
        or (appeal.info_due_on and settings.local_date(now) <= appeal.info_due_on)
    ):
        raise Refused(
            "invalid",
            _l(
                "An appeal can be returned for unfixed defects only after the reply period "
                "has passed."
            ),
            "ground",
        )
    # Art. 64: the return is due within 3 working days (docs/domain.md, section 3).
    limit = return_limit(
        ground,
        appeal.received_on or appeal.registered_on,
        appeal.info_due_on,
        settings.rules,
        settings.calendar(session),
    )
    late = is_late_return(settings.local_date(now), limit)
    return _end_consideration(
        session,
        appeal,
        "return",
        actor=actor,
        now=now,
        settings=settings,
        comment=comment,
        data={"ground": ground, "return_by": limit.isoformat(), "late": late},
        changes={"returned_late": late},
    )


def terminate_appeal(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    ground,
    comment="",
) -> AppealEvent:
    """Stop the consideration on a legal ground (Art. 70, 88)."""
    ensure_allowed(appeal, "terminate", actor.role)
    ground = str(ground or "").strip()
    if ground not in TERMINATION_GROUNDS:
        raise Refused("invalid", _l("Choose the ground for stopping."), "ground")
    if ground == "anonymous" and not optional_text(comment, "comment", MAX_COMMENT):
        # Art. 88: an anonymous appeal is not considered, but never dropped silently.
        raise Refused(
            "invalid",
            _l(
                "Say why the appeal is treated as anonymous (no author or no address): the "
                "reason is recorded."
            ),
            "comment",
        )
    return _end_consideration(
        session,
        appeal,
        "terminate",
        actor=actor,
        now=now,
        settings=settings,
        comment=comment,
        data={"ground": ground},
    )


def mark_duplicate(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    number,
    comment="",
) -> AppealEvent:
    """Attach a re-filed appeal to the earlier case and stop this one."""
    ensure_allowed(appeal, "mark_duplicate", actor.role)
    earlier = get_appeal_by_number(session, str(number or "")[:64])
    # An appeal the official may not see answers exactly as one that does not exist.
    if (
        earlier is None
        or not staff_may_view(actor, earlier)
        or earlier.id == appeal.id
        or earlier.received_at > appeal.received_at
    ):
        raise Refused("invalid", EARLIER_APPEAL, "number")
    return _end_consideration(
        session,
        appeal,
        "mark_duplicate",
        actor=actor,
        now=now,
        settings=settings,
        comment=comment,
        data={"duplicate_of": earlier.number},
        changes={"duplicate_of_id": earlier.id},
    )


def add_note(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    text,
) -> AppealEvent:
    """Write an internal note; never shown to the citizen."""
    ensure_allowed(appeal, "note", actor.role)
    return apply_transition(
        session,
        appeal,
        "note",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=required_text(text, "text", MAX_COMMENT),
    )


# How the staff reached an applicant who has no e-mail.
NOTICE_WAYS = ("phone", "post")


def record_notice(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    by,
    on,
) -> AppealEvent:
    """Record that an applicant without e-mail was told of the appeal's news: read out by
    phone or sent by post, on a date (not in the future). Internal: the applicant is the
    one who was told; the status does not change."""
    if actor.role not in AUTHORITY_ROLES | {Role.operator}:
        raise Refused("not_allowed", NOT_ALLOWED)
    if by not in NOTICE_WAYS:
        raise Refused("invalid", _l("Choose how the applicant was told."), "by")
    today = settings.local_date(now)
    try:
        day = date.fromisoformat((on or "").strip()) if on else today
    except ValueError:
        raise Refused("invalid", _l("Enter the date as day, month and year."), "on") from None
    if day > today:
        raise Refused("invalid", _l("The date cannot be in the future."), "on")
    return record_event(
        session,
        appeal,
        Record.notified,
        now=now,
        actor=actor,
        from_status=appeal.status,
        public=False,
        role=actor.role,
        data={"by": by, "on": day.isoformat()},
    )
