"""People who log in, and the keys that systems use in their name."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.core.types import UTCDateTime, one_of, utcnow
from reception.directory.models import Authority
from reception.domain.workflow import AUTHORITY_ROLES, Role
from reception.extensions import db


def _in_order(roles: frozenset[Role]) -> list[Role]:
    return [role for role in Role if role in roles]


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="role"),
        # Officials and heads always belong to an authority: their queue is its appeals.
        CheckConstraint(
            one_of("role", _in_order(AUTHORITY_ROLES), negated=True)
            + " OR authority_id IS NOT NULL",
            name="staff_authority",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(16), default=Role.citizen)
    position: Mapped[str] = mapped_column(String(200), default="")
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A self-registered citizen proves the address before the account can be used.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Second factor (TOTP). A secret without `totp_enabled_at` is a set-up not yet confirmed.
    # The secret is stored encrypted (accounts.secret_box), never in clear.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Wrong second-factor codes, counted here so that every worker sees the same count.
    two_factor_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    two_factor_failed_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    two_factor_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    authority: Mapped[Authority | None] = relationship()

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiKey(db.Model):
    """A secret for Open311 clients and staff systems; only its hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor when the phone is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(db.Model):
    """One log-in: the cookie holds a random id, the database its hash and its state.

    A session works only while its row says so: log-out, a password change or reset, an
    administrator, the absolute lifetime and the idle timeout each end it for every copy
    of the cookie.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it ended: logout, password, admin, expired.
    end_reason: Mapped[str | None] = mapped_column(String(16))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()
