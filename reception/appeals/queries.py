"""Reads of appeals for the citizen's side."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from reception.accounts.models import User
from reception.appeals.access import access_code_matches
from reception.appeals.models import Appeal, AppealEvent, Attachment
from reception.directory.models import Authority
from reception.domain.identifiers import normalize_registration_number

# Statements of the busiest reads are built once: SQLAlchemy then neither rebuilds them nor
# computes their cache key again on every request.
_BY_NUMBER = select(Appeal).where(Appeal.number == bindparam("number"))
# What the status page shows of the appeal itself, in one query.
_WITH_DETAILS = _BY_NUMBER.options(
    joinedload(Appeal.category, innerjoin=True),
    joinedload(Appeal.region, innerjoin=True),
    joinedload(Appeal.authority, innerjoin=True).joinedload(Authority.superior),
    joinedload(Appeal.attachments),
)
_PUBLIC_EVENTS = (
    select(AppealEvent)
    .where(AppealEvent.appeal_id == bindparam("appeal_id"), AppealEvent.is_public)
    .options(joinedload(AppealEvent.authority))
    .order_by(AppealEvent.created_at, AppealEvent.id)
)


def get_appeal_by_number(session: Session, number: str, *, details: bool = False) -> Appeal | None:
    """The appeal with this registration number (in any spelling the citizen may type).

    With `details`, its category, region, authority, the authority's superior and the
    attachments come in the same query.
    """
    normalized = normalize_registration_number(number or "")
    if normalized is None:
        return None
    statement = _WITH_DETAILS if details else _BY_NUMBER
    return session.execute(statement, {"number": normalized}).unique().scalar_one_or_none()


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
    return list(session.scalars(_PUBLIC_EVENTS, {"appeal_id": appeal.id}))


def get_attachment(session: Session, appeal: Appeal, attachment_id: int) -> Attachment | None:
    return session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.appeal_id == appeal.id)
    )
