"""Daily work: reminders before deadlines, alerts on missed ones, closing old answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.appeals.clock import record_deemed_refusals, remind_returns
from reception.appeals.models import Appeal
from reception.appeals.survey import SurveySettings, ask_whether_resolved
from reception.appeals.workflow import WorkflowSettings, apply_transition
from reception.domain.workflow import RUNNING_STATUSES, AppealStatus, Role
from reception.notifications import emails
from reception.notifications.models import OutboxMessage


@dataclass
class DeadlineReport:
    reminders: int = 0
    alerts: int = 0
    closed: int = 0
    return_reminders: int = 0
    deemed_refused: int = 0
    surveys: int = 0


def _already_queued(session: Session, key: str) -> bool:
    return (
        session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None
    )


def remind_deadlines(
    session: Session, *, now: datetime, settings: WorkflowSettings
) -> DeadlineReport:
    """Remind executors of terms ending soon and alert heads of missed ones, once each.

    Each message carries a key (appeal, due date, person), so running the job again the
    same day, or on another host, sends nothing twice.
    """
    report = DeadlineReport()
    calendar = settings.calendar(session)
    today = settings.local_date(now)
    horizon = calendar.add_working_days(today, settings.remind_days)

    due_soon = session.scalars(
        select(Appeal)
        .where(
            Appeal.status.in_(RUNNING_STATUSES),
            Appeal.executor_id.is_not(None),
            Appeal.due_on >= today,
            Appeal.due_on <= horizon,
        )
        .options(selectinload(Appeal.executor))
    ).all()
    for appeal in due_soon:
        key = f"remind:{appeal.id}:{appeal.due_on}:{appeal.executor_id}"
        if appeal.executor.is_active and not _already_queued(session, key):
            emails.deadline_reminder(
                session,
                appeal,
                appeal.executor,
                key=key,
                base_url=settings.filing.base_url,
                now=now,
            )
            report.reminders += 1

    overdue = session.scalars(select(Appeal).where(Appeal.is_overdue(today))).all()
    heads_by_authority: dict[int, list[User]] = {}
    for appeal in overdue:
        if appeal.authority_id not in heads_by_authority:
            heads_by_authority[appeal.authority_id] = list(
                session.scalars(
                    select(User).where(
                        User.authority_id == appeal.authority_id,
                        User.role == Role.head,
                        User.is_active,
                    )
                )
            )
        for head in heads_by_authority[appeal.authority_id]:
            key = f"overdue:{appeal.id}:{appeal.due_on}:{head.id}"
            if not _already_queued(session, key):
                emails.overdue_alert(
                    session, appeal, head, key=key, base_url=settings.filing.base_url, now=now
                )
                report.alerts += 1

    report.closed = close_answered(session, now=now, settings=settings)
    # The statutory clock (docs/domain.md, sections 3 and 7).
    report.return_reminders = remind_returns(session, now=now, settings=settings)
    report.deemed_refused = record_deemed_refusals(session, now=now, settings=settings)
    # Closing the loop: "Was your problem resolved?", once per answer.
    report.surveys = ask_whether_resolved(
        session,
        now=now,
        settings=settings,
        survey=SurveySettings.from_config(current_app.config),
        secret_key=current_app.config["SECRET_KEY"],
    )
    return report


def close_answered(session: Session, *, now: datetime, settings: WorkflowSettings) -> int:
    """Close answers the citizen did not rate within the configured period."""
    cutoff = now - timedelta(days=settings.auto_close_days)
    # Locked and read fresh: an appeal the citizen rates at this moment is either closed by
    # the rating (and skipped here: PostgreSQL checks the condition again once the lock is
    # free) or by the job, never by both; without row locks the version column refuses the
    # second writer.
    stale = session.scalars(
        select(Appeal)
        .where(Appeal.status == AppealStatus.answered, Appeal.answered_at <= cutoff)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for appeal in stale:
        apply_transition(
            session,
            appeal,
            "close",
            actor=None,
            role=None,
            now=now,
            settings=settings,
            changes={"closed_at": now},
            # The citizen has the answer already; closing changes nothing for them.
            notify=False,
        )
    return len(stale)
