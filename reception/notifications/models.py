"""The outbox: e-mail written with the change that caused it, delivered by a job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.core.types import UTCDateTime, utcnow
from reception.extensions import db


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'cancelled')", name="status"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Stable across retries, so that a receiving server can drop a repeat.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    # Set for messages that must go at most once per key (reminders, alerts).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The request (or job run) that queued it, so its trail can be followed into delivery.
    request_id: Mapped[str | None] = mapped_column(String(64))

    appeal: Mapped[Appeal | None] = relationship()  # noqa: F821
    delivery_attempts: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="message", order_by="DeliveryAttempt.id"
    )


class DeliveryAttempt(db.Model):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool]
    error: Mapped[str | None] = mapped_column(Text)

    message: Mapped[OutboxMessage] = relationship(back_populates="delivery_attempts")
