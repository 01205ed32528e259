"""One function per e-mail; each queues its message in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from reception.appeals.models import Appeal
from reception.notifications.outbox import queue_email


def appeal_registered(
    session: Session, appeal: Appeal, access_code: str, *, base_url: str, now: datetime
):
    """Tell the applicant the number, due date and access code of a new appeal."""
    return queue_email(
        session,
        "appeal_registered",
        recipient=appeal.email,
        locale=appeal.language,
        appeal=appeal,
        now=now,
        context={
            "appeal": appeal,
            "access_code": access_code,
            "track_url": f"{base_url}/track?number={appeal.number}",
        },
    )
