"""One entry point for every action by its contract code, for the web pages and the API.

The codes themselves are listed once, in reception.domain.actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.appeals.models import Appeal
from reception.appeals.workflow import NOT_ALLOWED, WorkflowSettings, lock_appeal
from reception.core.files import AttachmentStore, Upload
from reception.core.refusals import Refused
from reception.domain.actions import STAFF_ACTIONS
from reception.domain.workflow import Action
from reception.review import groups, services

__all__ = ["STAFF_ACTIONS", "perform_staff_action"]


def perform_staff_action(
    session: Session,
    appeal: Appeal,
    action: str,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    store: AttachmentStore,
    data: Mapping,
    uploads: list[Upload] = (),
):
    """Run an official's action with its input; raise Refused when it cannot be done.

    The appeal is read again under a lock first: if someone changed it since the caller
    read it, the action is refused with "conflict" before anything is checked or written.
    """
    appeal = lock_appeal(session, appeal)
    common = {"actor": actor, "now": now, "settings": settings}
    match action:
        case Action.take:
            return services.take_appeal(session, appeal, **common)
        case Action.assign:
            return services.assign_executor(
                session, appeal, **common, executor_id=data.get("executor")
            )
        case Action.forward:
            return services.forward_appeal(
                session,
                appeal,
                **common,
                authority=data.get("authority"),
                reason=data.get("reason"),
                crime_report=data.get("crime_report"),
            )
        case Action.request_info:
            return services.request_info(
                session, appeal, **common, text=data.get("text"), reply_days=data.get("reply_days")
            )
        case Action.extend:
            return services.extend_deadline(
                session, appeal, **common, due_on=data.get("due_on"), reason=data.get("reason")
            )
        case Action.answer:
            return services.answer_appeal(
                session,
                appeal,
                **common,
                store=store,
                text=data.get("text"),
                uploads=uploads,
                template=data.get("template"),
                complaint_info=data.get("complaint_info"),
                hide=data.get("hide"),
                hide_reason=data.get("hide_reason"),
            )
        case Action.return_:
            return services.return_appeal(
                session, appeal, **common, ground=data.get("ground"), comment=data.get("comment")
            )
        case Action.terminate:
            return services.terminate_appeal(
                session, appeal, **common, ground=data.get("ground"), comment=data.get("comment")
            )
        case Action.mark_duplicate:
            return services.mark_duplicate(
                session, appeal, **common, number=data.get("number"), comment=data.get("comment")
            )
        case Action.note:
            return services.add_note(session, appeal, **common, text=data.get("text"))
        case Action.group_link | Action.group_leave | "group_answer":
            return groups.perform(
                session, appeal, action, **common, store=store, data=data, uploads=uploads
            )
    raise Refused("not_allowed", NOT_ALLOWED)
