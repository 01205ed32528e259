"""A group of appeals about one problem, within one body."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.accounts.models import User
from reception.core.types import UTCDateTime, utcnow
from reception.directory.models import Authority
from reception.extensions import db


class AppealGroup(db.Model):
    """Appeals linked by an official to be answered together; each keeps its own term,
    status and history. A group belongs to one body and never crosses bodies."""

    __tablename__ = "appeal_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    authority: Mapped[Authority] = relationship()
    created_by: Mapped[User | None] = relationship()
