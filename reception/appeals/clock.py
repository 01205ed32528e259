"""The statutory clock's daily work (docs/domain.md, sections 3 and 7).

Run by `flask deadlines remind` with the other reminders: returns due after unanswered
defect notices (Art. 64), and complaints whose term ended without a decision (a refusal).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.appeals.models import Appeal
from reception.appeals.workflow import WorkflowSettings, apply_transition
from reception.domain.deadlines import return_limit
from reception.domain.workflow import AppealKind, AppealStatus, Role
from reception.notifications.models import OutboxMessage
from reception.notifications.outbox import queue_email


def _queued(session: Session, key: str) -> bool:
    return (
        session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None
    )


def _heads(session: Session, authority_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.authority_id == authority_id, User.role == Role.head, User.is_active
            )
        )
    )


def remind_returns(session: Session, *, now: datetime, settings: WorkflowSettings) -> int:
    """Remind whoever must return an appeal whose defects were not fixed in time (Art. 64).

    Once the reply period has passed, the return is due within the working days of
    `RECEPTION_RETURN_WITHIN_DAYS`: the executor (or, with none, the heads of the body) is
    told once, with the date.
    """
    today = settings.local_date(now)
    calendar = settings.calendar(session)
    waiting = session.scalars(
        select(Appeal)
        .where(Appeal.status == AppealStatus.awaiting_citizen, Appeal.info_due_on < today)
        .options(selectinload(Appeal.executor))
    ).all()
    sent = 0
    for appeal in waiting:
        return_by = return_limit(
            "defects_not_fixed",
            appeal.received_on or appeal.registered_on,
            appeal.info_due_on,
            settings.rules,
            calendar,
        )
        people = (
            [appeal.executor]
            if appeal.executor is not None and appeal.executor.is_active
            else _heads(session, appeal.authority_id)
        )
        for person in people:
            key = f"return:{appeal.id}:{appeal.info_due_on}:{person.id}"
            if _queued(session, key):
                continue
            queue_email(
                session,
                "return_reminder",
                recipient=person.email,
                locale=person.locale or "kk",
                appeal=appeal,
                now=now,
                dedupe_key=key,
                context={
                    "appeal": appeal,
                    "user": person,
                    "return_by": return_by,
                    "days": settings.rules.return_within_days,
                    "url": f"{settings.filing.base_url}/review/appeals/{appeal.number}",
                },
            )
            sent += 1
    return sent


def at_first_stage(complaint: Appeal) -> bool:
    """A complaint still at the body that answered, which must pass it on (Art. 91-100).

    Its short first-stage term ending is an overdue step of that body (the heads are
    alerted), not the end of the review: no refusal is deemed then.
    """
    parent = complaint.parent
    return (
        parent is not None
        and complaint.authority_id == parent.authority_id
        and parent.authority.superior_id is not None
    )


def record_deemed_refusals(session: Session, *, now: datetime, settings: WorkflowSettings) -> int:
    """A complaint whose term ended without a decision counts as refused (Art. 91-100).

    Recorded once per complaint (`deemed_refused_on`), as a public event: the applicant is
    told in the appeal's language what it means and that the court is the next step, and
    the figures count it against the body. The complaint stays open: the body must decide.
    """
    today = settings.local_date(now)
    late = session.scalars(
        select(Appeal).where(
            Appeal.kind == AppealKind.complaint,
            Appeal.is_overdue(today),
            Appeal.deemed_refused_on.is_(None),
        )
    ).all()
    late = [c for c in late if not at_first_stage(c)]
    for complaint in late:
        apply_transition(
            session,
            complaint,
            "deemed_refused",
            actor=None,
            role=None,
            now=now,
            settings=settings,
            data={"due_on": complaint.due_on.isoformat()},
            changes={"deemed_refused_on": today},
        )
    return len(late)
