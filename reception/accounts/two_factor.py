"""Use-cases of the second factor: set it up, check it at log-in, recovery codes, turn it off.

Each function changes the session it is given and leaves the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reception.accounts import totp
from reception.accounts.models import RecoveryCode, User
from reception.accounts.services import AccountError
from reception.core.i18n import lazy_gettext as _l
from reception.notifications import emails

ISSUER_DEFAULT = "Reception"


@dataclass(frozen=True)
class TwoFactorPolicy:
    """Which roles must use a second factor (configuration: TWO_FACTOR_REQUIRED_ROLES)."""

    required_roles: tuple[str, ...]
    issuer: str = ISSUER_DEFAULT
    base_url: str = ""  # for the link in the e-mail that tells of each change

    @classmethod
    def from_config(cls, config) -> TwoFactorPolicy:
        return cls(
            required_roles=tuple(config.get("TWO_FACTOR_REQUIRED_ROLES", ())),
            issuer=config.get("TWO_FACTOR_ISSUER", ISSUER_DEFAULT),
            base_url=config.get("RECEPTION_BASE_URL", ""),
        )

    def required_for(self, user: User) -> bool:
        return user.role in self.required_roles


def tell(session: Session, user: User, change: str, *, policy: TwoFactorPolicy, now: datetime):
    """E-mail the person about a change to their second factor, in the same transaction."""
    emails.two_factor_changed(
        session, user, change=change, url=f"{policy.base_url}/password/forgot", now=now
    )


def begin_setup(user: User) -> str:
    """Give the user a new, not yet confirmed secret (or the pending one) and return it."""
    if user.two_factor_enabled:
        raise AccountError({"code": _l("Two-step verification is already on.")})
    if not user.totp_secret:
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
    return user.totp_secret


def _issue_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.recovery_code_hash(code), created_at=now)
        for code in codes
    )
    return codes


def _wrong_code():
    return AccountError(
        {"code": _l("This code is not right. Enter the 6 digits your app shows now.")}
    )


def confirm_setup(
    session: Session, user: User, code: str, *, policy: TwoFactorPolicy, now: datetime
) -> list[str]:
    """Turn the second factor on once the app shows a right code; return the recovery codes."""
    if user.two_factor_enabled:
        raise AccountError({"code": _l("Two-step verification is already on.")})
    if not user.totp_secret:
        raise AccountError({"code": _l("Start the set-up again.")})
    step = totp.matching_step(user.totp_secret, code, now, last_step=None)
    if step is None:
        raise _wrong_code()
    user.totp_last_step = step
    user.totp_enabled_at = now
    tell(session, user, "on", policy=policy, now=now)
    return _issue_recovery_codes(session, user, now)


def verify(session: Session, user: User, code: str, *, now: datetime) -> str | None:
    """Check a code from the app or a recovery code; return "app", "recovery" or None.

    A code from the app is good once (its time step is remembered); a recovery code is
    marked used. The row is locked so that two requests cannot spend the same code.
    """
    if not user.two_factor_enabled:
        return None
    locked = session.scalar(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    user = locked or user
    step = totp.matching_step(user.totp_secret, code, now, last_step=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "app"
    if totp.looks_like_recovery_code(code):
        row = session.scalar(
            select(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == totp.recovery_code_hash(code),
                RecoveryCode.used_at.is_(None),
            )
            .with_for_update()
        )
        if row is not None:
            row.used_at = now
            return "recovery"
    return None


def require_code(session: Session, user: User, code: str, *, now: datetime) -> str:
    """Like `verify`, but refuse with a message beside the code field."""
    how = verify(session, user, code, now=now)
    if how is None:
        raise _wrong_code()
    return how


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def new_recovery_codes(
    session: Session, user: User, code: str, *, policy: TwoFactorPolicy, now: datetime
) -> list[str]:
    """Replace every recovery code after checking a current code."""
    require_code(session, user, code, now=now)
    tell(session, user, "codes", policy=policy, now=now)
    return _issue_recovery_codes(session, user, now)


def turn_off(
    session: Session, user: User, code: str, *, policy: TwoFactorPolicy, now: datetime
) -> None:
    """Turn the second factor off (not allowed for roles that must use it)."""
    if policy.required_for(user):
        raise AccountError(
            {"code": _l("Your role must use two-step verification: it cannot be turned off.")}
        )
    require_code(session, user, code, now=now)
    reset(session, user)
    tell(session, user, "off", policy=policy, now=now)


def reset(session: Session, user: User) -> None:
    """Forget the secret and the recovery codes (turning off, or an administrator's reset)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
