"""An appeal's history as the changes of its term, and its explained steps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.appeals.models import Appeal, AppealEvent
from reception.appeals.workflow import WorkflowSettings
from reception.core.web import current_settings
from reception.directory.queries import override_rows
from reception.domain import explain as ex
from reception.domain.workflow import Action

# Events that end a pause for the applicant (workflow.pause_ended).
PAUSE_ENDS = (
    Action.reply,
    Action.withdraw,
    Action.return_,
    Action.terminate,
    Action.mark_duplicate,
)


def _iso(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def term_changes(events: Iterable[AppealEvent], settings: WorkflowSettings) -> list[ex.TermChange]:
    """The forwards, pauses, extensions and calendar moves of an appeal, in order."""
    changes: list[ex.TermChange] = []
    paused: date | None = None
    for event in events:
        day = settings.local_date(event.created_at)
        data = event.data or {}
        if event.action == Action.forward:
            changes.append(
                ex.TermChange(
                    "forward",
                    on=day,
                    received_on=_iso(data.get("received_on")),
                    due_on=_iso(data.get("due_on")),
                    late=bool(data.get("late")),
                    name=str(data.get("to") or ""),
                )
            )
        elif event.action == Action.request_info:
            paused = _iso(data.get("paused_on")) or day
        elif event.action in PAUSE_ENDS and paused is not None:
            changes.append(ex.TermChange("pause", on=paused, until=day))
            paused = None
        elif event.action == Action.extend:
            changes.append(
                ex.TermChange(
                    "extend",
                    on=day,
                    due_on=_iso(data.get("to")),
                    asked=_iso(data.get("asked")),
                    name=event.comment or "",
                )
            )
        elif event.action == Action.term_moved:  # a calendar change moved the due date
            changes.append(
                ex.TermChange(
                    "recalculate", on=day, due_on=_iso(data.get("to")), day=_iso(data.get("day"))
                )
            )
    if paused is not None:
        changes.append(ex.TermChange("pause", on=paused))
    return changes


def override_notes(session: Session) -> dict[date, str]:
    """The administrators' notes on their calendar entries, shown as the day's name."""
    return {day: note for day, _kind, note in override_rows(session)}


def appeal_term_steps(
    session: Session, appeal: Appeal, *, public_only: bool = False
) -> list[ex.TermStep]:
    """Every step from receipt to the appeal's current due date (docs/domain.md, 11)."""
    settings = current_settings()
    query = select(AppealEvent).where(AppealEvent.appeal_id == appeal.id)
    events = session.scalars(query.order_by(AppealEvent.id)).all()
    changes = term_changes(events, settings)
    if public_only:
        # The citizen's page: the extension's reason is already in the public history, and
        # whether a forward was late is the staff's measure, not part of the term.
        changes = [replace(c, name="", late=False) for c in changes]
    return ex.explain_appeal(
        received_at=appeal.received_at,
        kind=appeal.kind,
        due_on=appeal.due_on,
        rules=settings.rules,
        calendar=settings.calendar(session),
        changes=changes,
        notes=override_notes(session),
    )
