"""Server-side records of log-ins: the cookie names one, the database decides if it works.

The cookie holds a random id (256 bits); the table keeps only its SHA-256, so a copy of the
database does not give working cookies. Each request looks the record up with the user
(one query), so ending a record ends every copy of the cookie at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from reception.accounts.models import User, UserSession

# last_seen_at is written at most once a minute per session, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a log-in lasts (configuration: SESSION_ABSOLUTE_HOURS, SESSION_IDLE_MINUTES)."""

    absolute: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(hours=2)

    @classmethod
    def from_config(cls, config) -> SessionPolicy:
        return cls(
            absolute=timedelta(hours=config.get("SESSION_ABSOLUTE_HOURS", 12)),
            idle=timedelta(minutes=config.get("SESSION_IDLE_MINUTES", 120)),
        )

    def alive(self, record: UserSession, now: datetime) -> bool:
        """Not ended, younger than the absolute lifetime, used within the idle timeout.

        Requests move only last_seen_at: nothing extends the absolute lifetime.
        """
        return (
            record.ended_at is None
            and now - record.created_at < self.absolute
            and now - record.last_seen_at < self.idle
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def open_session(
    session: Session, user: User, *, now: datetime, user_agent: str = "", address: str = ""
) -> str:
    """Record a new log-in and return the id that goes into the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            user_agent=(user_agent or "")[:300],
            address=(address or "")[:64],
        )
    )
    return token


def find_session(session: Session, token: str, user_id: int) -> tuple[UserSession, User] | None:
    """The record and its user, in one query, if the token belongs to that user."""
    if not token or len(token) > 100:
        return None
    row = session.execute(
        select(UserSession, User)
        .join(User, UserSession.user_id == User.id)
        .where(UserSession.token_hash == token_hash(token), UserSession.user_id == user_id)
    ).first()
    return (row[0], row[1]) if row else None


def needs_touch(record: UserSession, now: datetime) -> bool:
    return now - record.last_seen_at >= TOUCH_EVERY


def update_last_seen(record_id: int, now: datetime):
    """The statement that records a use of the session (the caller runs it)."""
    return (
        update(UserSession)
        .where(UserSession.id == record_id, UserSession.ended_at.is_(None))
        .values(last_seen_at=now)
    )


def end_session(session: Session, token: str, *, now: datetime, reason: str = "logout") -> None:
    """End the log-in this token names (log-out): every copy of the cookie stops working."""
    if not token:
        return
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def end_all_sessions(
    session: Session, user: User, *, now: datetime, reason: str, keep_token: str | None = None
) -> int:
    """End every log-in of a person (a password change or reset, an administrator).

    `keep_token` spares the session the change was made from. Returns how many ended.
    """
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_token:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    result = session.execute(query.values(ended_at=now, end_reason=reason))
    return result.rowcount or 0


def count_active_sessions(session: Session, user: User, *, now: datetime, policy: SessionPolicy):
    return session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.created_at > now - policy.absolute,
            UserSession.last_seen_at > now - policy.idle,
        )
    )
