"""The one place where an appeal changes state.

Every action, by an official, a citizen or the system, goes through `apply_transition`:
it asks the domain table whether this role may do this action in this status, sets the
new status, appends the event and, for public events, queues the e-mail to the applicant,
all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from reception.accounts.models import User
from reception.appeals.events import record_event
from reception.appeals.models import Appeal, AppealEvent, Attachment
from reception.appeals.services import FilingSettings
from reception.appeals.submission import Limits, check_uploads, clean_text
from reception.core.files import (
    AttachmentStore,
    Upload,
    display_name,
    sniff_content_type,
)
from reception.core.i18n import lazy_gettext as _l
from reception.core.refusals import Refused
from reception.directory.queries import get_calendar
from reception.domain.calendar import WorkingCalendar
from reception.domain.deadlines import resume_after_pause, zone_info
from reception.domain.workflow import (
    AUTHORITY_ROLES,
    Action,
    TransitionError,
    next_status,
    transition_for,
)
from reception.notifications import emails


@dataclass(frozen=True)
class WorkflowSettings:
    filing: FilingSettings
    reply_days: int = 10
    reply_days_max: int = 30
    remind_days: int = 2
    auto_close_days: int = 30

    @property
    def rules(self):
        return self.filing.rules

    @classmethod
    def from_config(cls, config: Mapping) -> WorkflowSettings:
        return cls(
            filing=FilingSettings.from_config(config),
            reply_days=config["RECEPTION_REPLY_DAYS"],
            reply_days_max=config["RECEPTION_REPLY_DAYS_MAX"],
            remind_days=config["RECEPTION_REMIND_DAYS"],
            auto_close_days=config["RECEPTION_AUTO_CLOSE_DAYS"],
        )

    def calendar(self, session: Session) -> WorkingCalendar:
        return get_calendar(session, self.filing.country)

    def local_date(self, now: datetime) -> date:
        """The date at the reception's place for a UTC moment."""
        return now.astimezone(zone_info(self.rules.timezone)).date()


NOT_ALLOWED = _l("This action is not available for this appeal now.")
CONFLICT = _l(
    "Someone else changed this appeal a moment ago, so your action was not done. "
    "Check its current state and send again if it still applies."
)
CONFIRM_MESSAGE = _l("Tick the box to confirm: this ends the consideration of the appeal.")


def ensure_allowed(appeal: Appeal, action: str, role: str | None):
    """Return the status after the action, or refuse before anything is changed."""
    try:
        return next_status(appeal.status, action, role)
    except TransitionError as refused:
        raise Refused("not_allowed", NOT_ALLOWED) from refused


def lock_appeal(session: Session, appeal: Appeal) -> Appeal:
    """Read the appeal again under a row lock; refuse if it changed since the caller read it.

    On PostgreSQL the row stays locked (`SELECT ... FOR UPDATE`) until the transaction
    ends, so a second action on the same appeal waits here for the first to commit, then
    finds a new version and is refused with "conflict". Where the database has no row locks
    (SQLite), the version column does the same at the write (see `apply_transition`). The
    object is refreshed in place, so everything the action computes uses the current state.
    """
    seen = appeal.version
    fresh = session.scalars(
        select(Appeal)
        .where(Appeal.id == appeal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if fresh is None or fresh.version != seen:
        raise Refused("conflict", CONFLICT)
    return fresh


def apply_transition(
    session: Session,
    appeal: Appeal,
    action: str,
    *,
    actor: User | None,
    role: str | None,
    now: datetime,
    settings: WorkflowSettings,
    comment: str = "",
    data: dict | None = None,
    changes: dict | None = None,
    notify: bool = True,
) -> AppealEvent:
    """Move the appeal by the domain table, record the event, queue the notice.

    `changes` are the appeal's other fields that move with the status (due date, pause
    dates, authority...): set together, so no flush ever sees half a change. The change is
    written at once, updating only the version of the appeal that was read: if another
    transaction changed it meanwhile, nothing is written and the action is refused with
    "conflict", so no second event and no second e-mail.
    """
    status = ensure_allowed(appeal, action, role)
    changes = dict(changes or {})
    if role in AUTHORITY_ROLES and appeal.first_action_at is None and action != Action.note:
        changes["first_action_at"] = now
        changes["first_action_days"] = settings.calendar(session).working_days_between(
            appeal.registered_on, settings.local_date(now)
        )
    from_status = appeal.status
    public = transition_for(action).public
    try:
        with session.no_autoflush:
            appeal.status = str(status)
            for name, value in changes.items():
                setattr(appeal, name, value)
        event = record_event(
            session,
            appeal,
            action,
            now=now,
            actor=actor,
            from_status=from_status,
            public=public,
            role=role,
            comment=comment,
            data=data,
        )
        session.flush()
    except StaleDataError as stale:
        raise Refused("conflict", CONFLICT) from stale
    if public and notify:
        emails.appeal_updated(session, appeal, event, base_url=settings.filing.base_url, now=now)
    return event


def required_text(value, field: str, limit: int) -> str:
    """Return the cleaned text or refuse with a message naming the field."""
    text = clean_text(value)
    if not text:
        raise Refused("invalid", _l("This field is required."), field)
    if len(text) > limit:
        raise Refused(
            "invalid", _l("Please shorten this to %(n)d characters or fewer.", n=limit), field
        )
    return text


def optional_text(value, field: str, limit: int) -> str:
    return required_text(value, field, limit) if clean_text(value) else ""


def check_files(uploads: list[Upload], limits: Limits) -> None:
    problem = check_uploads(uploads, limits)
    if problem:
        raise Refused("invalid", problem, "attachments")


def save_attachments(
    session: Session,
    appeal: Appeal,
    event: AppealEvent,
    uploads: list[Upload],
    store: AttachmentStore,
    now: datetime,
) -> None:
    """Store the (already checked) files that come with an event: an answer, a reply."""
    session.flush()
    for upload in uploads:
        content_type = sniff_content_type(upload.content)
        stored_name, sha256 = store.save(upload.content)
        session.add(
            Attachment(
                appeal=appeal,
                event_id=event.id,
                original_name=display_name(upload.filename, content_type),
                stored_name=stored_name,
                content_type=content_type,
                size=len(upload.content),
                sha256=sha256,
                created_at=now,
            )
        )


def pause_ended(
    session: Session, appeal: Appeal, now: datetime, settings: WorkflowSettings
) -> dict:
    """The changes that end a pause: the due date moves by the paused working days."""
    if appeal.paused_on is None:
        return {}
    calendar = settings.calendar(session)
    today = settings.local_date(now)
    return {
        "paused_days": appeal.paused_days + calendar.working_days_between(appeal.paused_on, today),
        "due_on": resume_after_pause(appeal.due_on, appeal.paused_on, today, calendar),
        "paused_on": None,
        "info_due_on": None,
    }
