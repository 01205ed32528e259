"""The history of an appeal: every change appends one event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from reception.accounts.models import User
from reception.appeals.models import Appeal, AppealEvent
from reception.domain.workflow import Action, Record, Role


def record_event(
    session: Session,
    appeal: Appeal,
    action: str,
    *,
    now: datetime,
    actor: User | None,
    from_status: str | None,
    public: bool,
    role: str | None = None,
    comment: str = "",
    data: dict | None = None,
) -> AppealEvent:
    """Append an event for the appeal's current state and touch its update time."""
    event = AppealEvent(
        appeal=appeal,
        action=action,
        from_status=from_status,
        to_status=appeal.status,
        actor=actor,
        actor_role=role or (actor.role if actor else None),
        authority=appeal.authority,
        is_public=public,
        comment=comment,
        data=data or {},
        created_at=now,
    )
    appeal.updated_at = now
    # Written even when unchanged, so that every event raises the appeal's version (the
    # kept views of an appeal, Open311's answer and the status page, are keyed by it).
    flag_modified(appeal, "updated_at")
    if action == Record.notified:
        appeal.notice_due = False
    elif tells_applicant(event) and not appeal.email:
        appeal.notice_due = True
    session.add(event)
    return event


# Public steps the applicant is not told of: the registration (the receipt is handed over)
# and the automatic closing of an answer they did not rate (it changes nothing for them, and
# no e-mail is sent for it either: appeals/jobs.close_answered).
_NOT_TOLD = (Action.register, Action.close)


def tells_applicant(event: AppealEvent) -> bool:
    """A step the applicant is to be told of, by e-mail or else by post or phone: a public
    one, not in _NOT_TOLD, and not the applicant's own."""
    return event.is_public and event.action not in _NOT_TOLD and event.actor_role != Role.citizen
