"""Tables of operations: the heartbeats of the background processes and the security log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from reception.accounts.models import User
from reception.core.types import UTCDateTime, utcnow
from reception.extensions import db


class Heartbeat(db.Model):
    """When a background process (the outbox worker, the deadline job) last finished a round."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the round did (counts, host, process): never personal data.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class SecurityEvent(db.Model):
    """One security-relevant event. The application only ever adds rows (and the daily job
    deletes those older than the retention period); on PostgreSQL a trigger refuses UPDATE.
    """

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Whom the event is about (the person logging in, the owner of the key, the actor). No
    # foreign key: the log outlives any row it names, and never blocks a change elsewhere.
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The client's address as the application sees it (behind RECEPTION_PROXY_COUNT proxies).
    address: Mapped[str | None] = mapped_column(String(64))
    # Route, status, key id, the e-mail's keyed hash, ...: never a name, e-mail or secret.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship(
        primaryjoin=lambda: foreign(SecurityEvent.user_id) == User.id, viewonly=True
    )

    def __repr__(self) -> str:
        return f"<SecurityEvent {self.kind} {self.user_id}>"
