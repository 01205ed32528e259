"""Reads of appeals for the citizen's side."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.appeals.access import access_code_matches
from reception.appeals.models import Appeal, AppealEvent, Attachment
from reception.domain.identifiers import normalize_registration_number


def get_appeal_by_number(session: Session, number: str) -> Appeal | None:
    normalized = normalize_registration_number(number or "")
    if normalized is None:
        return None
    return session.scalar(select(Appeal).where(Appeal.number == normalized))


def find_for_tracking(session: Session, number: str, code: str) -> Appeal | None:
    """Return the appeal when number and access code match; None in every other case."""
    appeal = get_appeal_by_number(session, number)
    if appeal is None:
        # Compare anyway, so that an unknown number takes as long as a wrong code.
        access_code_matches(code or "", "sha256$0$0")
        return None
    return appeal if access_code_matches(code or "", appeal.access_code_hash) else None


def list_citizen_appeals(session: Session, user: User) -> list[Appeal]:
    return list(
        session.scalars(
            select(Appeal)
            .where(Appeal.citizen_id == user.id)
            .options(selectinload(Appeal.authority))
            .order_by(Appeal.received_at.desc())
        )
    )


def public_events(session: Session, appeal: Appeal) -> list[AppealEvent]:
    return list(
        session.scalars(
            select(AppealEvent)
            .where(AppealEvent.appeal_id == appeal.id, AppealEvent.is_public)
            .options(selectinload(AppealEvent.authority))
            .order_by(AppealEvent.created_at, AppealEvent.id)
        )
    )


def get_attachment(session: Session, appeal: Appeal, attachment_id: int) -> Attachment | None:
    return session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.appeal_id == appeal.id)
    )
