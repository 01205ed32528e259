"""Use-cases of the second factor: set it up, check it at log-in, recovery codes, turn it off.

Each function changes the session it is given and leaves the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reception.accounts import totp
from reception.accounts.models import RecoveryCode, User
from reception.accounts.secret_box import SecretBox
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
    # Encrypts the secrets at rest (RECEPTION_TOTP_KEYS).
    box: SecretBox | None = field(default=None, compare=False)
    # Wrong codes that lock the second step, within the window, for the lock time.
    max_failures: int = 5
    failure_window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config) -> TwoFactorPolicy:
        return cls(
            required_roles=tuple(config.get("TWO_FACTOR_REQUIRED_ROLES", ())),
            issuer=config.get("TWO_FACTOR_ISSUER", ISSUER_DEFAULT),
            base_url=config.get("RECEPTION_BASE_URL", ""),
            box=SecretBox.from_config(config),
            max_failures=config.get("TWO_FACTOR_MAX_FAILURES", 5),
            failure_window=timedelta(minutes=config.get("TWO_FACTOR_FAILURE_WINDOW_MINUTES", 15)),
            lock_for=timedelta(minutes=config.get("TWO_FACTOR_LOCK_MINUTES", 15)),
        )

    def required_for(self, user: User) -> bool:
        return user.role in self.required_roles

    def secret_of(self, user: User) -> str:
        """The person's secret in clear (it is stored encrypted)."""
        if self.box is None:
            raise RuntimeError("TwoFactorPolicy needs a SecretBox to read secrets")
        return self.box.decrypt(user.totp_secret)


def tell(session: Session, user: User, change: str, *, policy: TwoFactorPolicy, now: datetime):
    """E-mail the person about a change to their second factor, in the same transaction."""
    emails.two_factor_changed(
        session, user, change=change, url=f"{policy.base_url}/password/forgot", now=now
    )


def begin_setup(user: User, *, policy: TwoFactorPolicy) -> str:
    """Give the user a new, not yet confirmed secret (or the pending one) and return it.

    The secret is returned in clear for the QR code and stored encrypted.
    """
    if user.two_factor_enabled:
        raise AccountError({"code": _l("Two-step verification is already on.")})
    if not user.totp_secret:
        secret = totp.new_secret()
        user.totp_secret = policy.box.encrypt(secret)
        user.totp_last_step = None
        return secret
    return policy.secret_of(user)


def _issue_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.recovery_code_hash(code), created_at=now)
        for code in codes
    )
    return codes


class WrongCode(AccountError):
    """A wrong code: the caller counts it with `record_failure` after its rollback."""


class SecondFactorLocked(AccountError):
    """Too many wrong codes: the second step refuses every code until `until`."""

    def __init__(self, until: datetime, now: datetime):
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))
        super().__init__(
            {
                "code": _l(
                    "Too many wrong codes. Two-step verification is locked for "
                    "%(minutes)d minutes; we have sent you an e-mail about it.",
                    minutes=minutes,
                )
            }
        )
        self.until = until


def _wrong_code():
    return WrongCode({"code": _l("This code is not right. Enter the 6 digits your app shows now.")})


def lock_of(user: User, now: datetime) -> SecondFactorLocked | None:
    """The lock on the person's second step, if one holds now."""
    until = user.two_factor_locked_until
    return SecondFactorLocked(until, now) if until is not None and until > now else None


def record_failure(
    session: Session, user: User, *, now: datetime, policy: TwoFactorPolicy
) -> SecondFactorLocked | None:
    """Count a wrong code for the person in the database; lock and alert at the limit.

    The row is locked while counting, so requests to any worker or host add up. Returns
    the lock when this failure set it (or one already holds).
    """
    from reception.accounts import alerts

    row = session.scalar(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        return None
    held = lock_of(row, now)
    if held is not None:
        return held
    since = row.two_factor_failed_since
    if since is None or now - since >= policy.failure_window:
        row.two_factor_failures = 0
        row.two_factor_failed_since = now
    row.two_factor_failures = (row.two_factor_failures or 0) + 1
    if row.two_factor_failures < policy.max_failures:
        return None
    failures = row.two_factor_failures
    row.two_factor_locked_until = now + policy.lock_for
    row.two_factor_failures = 0
    row.two_factor_failed_since = None
    alerts.second_factor_locked(
        session,
        row,
        failures=failures,
        locked_until=row.two_factor_locked_until,
        now=now,
        base_url=policy.base_url,
    )
    return SecondFactorLocked(row.two_factor_locked_until, now)


def clear_failures(user: User) -> None:
    """A right code: the count starts again."""
    user.two_factor_failures = 0
    user.two_factor_failed_since = None
    user.two_factor_locked_until = None


def confirm_setup(
    session: Session, user: User, code: str, *, policy: TwoFactorPolicy, now: datetime
) -> list[str]:
    """Turn the second factor on once the app shows a right code; return the recovery codes."""
    if user.two_factor_enabled:
        raise AccountError({"code": _l("Two-step verification is already on.")})
    if not user.totp_secret:
        raise AccountError({"code": _l("Start the set-up again.")})
    step = totp.matching_step(policy.secret_of(user), code, now, last_step=None)
    if step is None:
        raise _wrong_code()
    user.totp_last_step = step
    user.totp_enabled_at = now
    tell(session, user, "on", policy=policy, now=now)
    return _issue_recovery_codes(session, user, now)


def verify(
    session: Session, user: User, code: str, *, now: datetime, policy: TwoFactorPolicy
) -> str | None:
    """Check a code from the app or a recovery code; return "app", "recovery" or None.

    A code from the app is good once (its time step is remembered); a recovery code is
    marked used. The row is locked so that two requests cannot spend the same code.
    Raises SecondFactorLocked while too many wrong codes lock the second step.
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
    held = lock_of(user, now)
    if held is not None:
        raise held
    step = totp.matching_step(policy.secret_of(user), code, now, last_step=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        clear_failures(user)
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
            clear_failures(user)
            return "recovery"
    return None


def require_code(
    session: Session, user: User, code: str, *, now: datetime, policy: TwoFactorPolicy
) -> str:
    """Like `verify`, but refuse with a message beside the code field."""
    how = verify(session, user, code, now=now, policy=policy)
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
    require_code(session, user, code, now=now, policy=policy)
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
    require_code(session, user, code, now=now, policy=policy)
    reset(session, user)
    tell(session, user, "off", policy=policy, now=now)


def reset(session: Session, user: User) -> None:
    """Forget the secret and the recovery codes (turning off, or an administrator's reset)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    clear_failures(user)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
