"""The citizen's steps after filing: reply, withdraw, rate the answer, complain about it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.appeals.models import Appeal, AppealEvent
from reception.appeals.services import FiledAppeal, file_appeal
from reception.appeals.submission import Submission
from reception.appeals.workflow import (
    NOT_ALLOWED,
    WorkflowSettings,
    apply_transition,
    check_files,
    ensure_allowed,
    lock_appeal,
    optional_text,
    pause_ended,
    required_text,
    save_attachments,
)
from reception.core.files import AttachmentStore, Upload
from reception.core.i18n import lazy_gettext as _l
from reception.core.inputs import InputError, parse_int
from reception.core.refusals import Refused
from reception.domain.actions import CITIZEN_ACTIONS
from reception.domain.deadlines import complaint_filing_deadline
from reception.domain.workflow import Action, AppealKind, Channel, Role

MAX_REPLY = 10_000
MAX_COMMENT = 2_000


def reply_to_request(
    session: Session,
    appeal: Appeal,
    *,
    actor: User | None,
    now: datetime,
    settings: WorkflowSettings,
    store: AttachmentStore,
    text,
    uploads=(),
) -> AppealEvent:
    """Answer a clarification request; the term runs again with the paused days added."""
    ensure_allowed(appeal, "reply", "citizen")
    text = required_text(text, "text", MAX_REPLY)
    uploads = list(uploads)
    check_files(uploads, settings.filing.limits)
    event = apply_transition(
        session,
        appeal,
        "reply",
        actor=actor,
        role=Role.citizen,
        now=now,
        settings=settings,
        comment=text,
        data={
            "resumed_on": settings.local_date(now).isoformat(),
            "paused_on": appeal.paused_on.isoformat(),
        },
        changes=pause_ended(session, appeal, now, settings),
    )
    save_attachments(session, appeal, event, uploads, store, now)
    return event


def withdraw_appeal(
    session: Session,
    appeal: Appeal,
    *,
    actor: User | None,
    now: datetime,
    settings: WorkflowSettings,
    reason="",
) -> AppealEvent:
    """Withdraw the appeal before the decision (Art. 64)."""
    ensure_allowed(appeal, "withdraw", "citizen")
    return apply_transition(
        session,
        appeal,
        "withdraw",
        actor=actor,
        role=Role.citizen,
        now=now,
        settings=settings,
        comment=optional_text(reason, "reason", MAX_COMMENT),
        changes=pause_ended(session, appeal, now, settings),
    )


def rate_answer(
    session: Session,
    appeal: Appeal,
    *,
    actor: User | None,
    now: datetime,
    settings: WorkflowSettings,
    rating,
    comment="",
) -> AppealEvent:
    """Rate the answer from 1 to 5; the appeal is then closed."""
    ensure_allowed(appeal, "rate", "citizen")
    try:
        stars = parse_int(rating, low=1, high=5, default=0)
    except InputError:
        stars = 0
    if not 1 <= stars <= 5:
        raise Refused("invalid", _l("Choose a rating from 1 to 5."), "rating")
    comment = optional_text(comment, "comment", MAX_COMMENT)
    return apply_transition(
        session,
        appeal,
        "rate",
        actor=actor,
        role=Role.citizen,
        now=now,
        settings=settings,
        comment=comment,
        data={"rating": stars},
        changes={"rating": stars, "rating_comment": comment or None, "closed_at": now},
    )


def complaint_deadline(appeal: Appeal, settings: WorkflowSettings):
    """The last day to complain about the appeal's answer, or None if not answered."""
    if appeal.answered_at is None:
        return None
    # Art. 91: 6 months when the answer did not explain how to complain (docs/domain.md, 7);
    # answers recorded before the flag existed always explained it.
    return complaint_filing_deadline(
        settings.local_date(appeal.answered_at),
        settings.rules,
        complaint_info_given=appeal.complaint_info_given is not False,
    )


def complain_about_answer(
    session: Session,
    appeal: Appeal,
    *,
    actor: User | None,
    now: datetime,
    settings: WorkflowSettings,
    store: AttachmentStore,
    text,
) -> FiledAppeal:
    """File a complaint about the answer, through the body that answered (Art. 91-100).

    It is registered at the body that answered, which within `complaint_pass_within_days`
    working days either satisfies it itself (a new answer) or passes it with the case file to
    its superior body (a forward), where the 20 working days of Art. 99 run. A body without a
    superior reviews the complaint itself, in 20 working days.
    """
    ensure_allowed(appeal, "complain", "citizen")
    deadline = complaint_deadline(appeal, settings)
    if deadline is None or settings.local_date(now) > deadline:
        raise Refused("not_allowed", _l("The period for complaining about this answer has passed."))
    text = required_text(text, "text", MAX_REPLY)
    answering = appeal.authority
    superior = answering.superior or answering
    first_stage = superior.id != answering.id
    with force_locale(appeal.language):
        subject = _("Complaint about the answer to appeal %(number)s", number=appeal.number)
    submission = Submission(
        kind=AppealKind.complaint,
        category=appeal.category.code,
        region=appeal.region.code,
        authority=answering.code,
        subject=subject[:300],
        text=text,
        applicant_type=appeal.applicant_type,
        full_name=appeal.full_name,
        iin=appeal.iin or "",
        email=appeal.email,
        phone=appeal.phone,
        address=appeal.address,
        language=appeal.language,
        publish_consent=appeal.publish_consent,
    )
    filed = file_appeal(
        session,
        submission,
        now=now,
        actor=actor,
        settings=settings.filing,
        store=store,
        # A person without e-mail complains through the operator (e-mail optional there).
        channel=Channel.web if appeal.email else Channel.paper,
        parent=appeal,
        term_days=settings.rules.complaint_pass_within_days if first_stage else None,
    )
    # The new appeal's own registration e-mail is the notice; no second one here.
    apply_transition(
        session,
        appeal,
        "complain",
        actor=actor,
        role=Role.citizen,
        now=now,
        settings=settings,
        comment=filed.appeal.number,
        data={"complaint": filed.appeal.number, "to": answering.code, "reviewer": superior.code},
        notify=False,
    )
    return filed


# The applicant's steps by their contract codes (listed in reception.domain.actions).
__all__ = ["CITIZEN_ACTIONS", "perform_citizen_action"]


def perform_citizen_action(
    session: Session,
    appeal: Appeal,
    action: str,
    *,
    actor: User | None,
    now: datetime,
    settings: WorkflowSettings,
    store: AttachmentStore,
    data: Mapping,
    uploads: list[Upload] = (),
):
    """Run a citizen's action; returns the event, or the filed complaint for `complain`."""
    appeal = lock_appeal(session, appeal)
    common = {"actor": actor, "now": now, "settings": settings}
    match action:
        case Action.reply:
            return reply_to_request(
                session, appeal, **common, store=store, text=data.get("text"), uploads=uploads
            )
        case Action.withdraw:
            return withdraw_appeal(session, appeal, **common, reason=data.get("reason"))
        case Action.rate:
            return rate_answer(
                session, appeal, **common, rating=data.get("rating"), comment=data.get("comment")
            )
        case Action.complain:
            return complain_about_answer(
                session, appeal, **common, store=store, text=data.get("text")
            )
    raise Refused("not_allowed", NOT_ALLOWED)
