"""What the APIs remember between requests: the first answer to an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reception.core.types import UTCDateTime
from reception.extensions import db


class IdempotentResponse(db.Model):
    """The answer given to a POST sent with an Idempotency-Key, replayed to its retries.

    Keys are per API key: another client using the same key string has its own row and can
    never read this one. The row is written in the same transaction as the request's effect,
    so there is a stored answer exactly when something was done.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotency_keys_api_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path with its query and the body: the same key sent with
    # another request is refused instead of answered with someone else's result.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
