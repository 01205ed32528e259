"""The audit log: who changed which reference data or account, when, and how."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.accounts.models import User
from reception.core.types import UTCDateTime
from reception.extensions import db


class AuditEntry(db.Model):
    """One administrative change; written in the same transaction as the change itself."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty for changes made from the command line or by a job.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    entity: Mapped[str] = mapped_column(String(32))  # "authority", "user", ...
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))  # "create", "update", "deactivate", ...
    # {field: [old, new]}; secrets and password hashes are never recorded.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.entity} {self.entity_id}>"
