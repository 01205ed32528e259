"""Use-cases for accounts: create users and check log-ins."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from reception.accounts.user_sessions import end_all_sessions
from reception.core.i18n import lazy_gettext as _l
from reception.core.refusals import Refused
from reception.directory.models import Authority
from reception.domain.workflow import AUTHORITY_ROLES, Role


class AccountError(Refused):
    """A refused account change (a `Refused`); `errors` maps each field to its message.
    Kept as a name so that the second factor's refusals (wrong code, locked) can say more."""

    def __init__(self, errors: dict[str, object]):
        refused = Refused.fields(errors)
        super().__init__(refused.code, refused.message, refused.field, errors=errors)


def normalize_email(value: str) -> str:
    return (value or "").replace("\x00", "").strip().lower()


def password_problem(password: str, email: str = ""):
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    if email and password.lower() == email.lower():
        return _l("The password must not be your e-mail address.")
    if len(set(password)) < 4:
        return _l("This password is too easy to guess.")
    return None


def check_password(password: str, email: str = "") -> None:
    """Refuse a password that breaks the policy, with the message beside the field."""
    problem = password_problem(password or "", email)
    if problem:
        raise AccountError({"password": problem})


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    role: str,
    now: datetime,
    full_name: str = "",
    authority: Authority | None = None,
    position: str = "",
    locale: str | None = None,
    email_confirmed: bool = True,
) -> User:
    """Add a user after checking the e-mail, password, role and authority."""
    errors: dict[str, object] = {}
    try:
        email = validate_email(normalize_email(email), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = _l("Enter an e-mail address like name@example.kz.")
    if role not in tuple(Role):
        errors["role"] = _l("Unknown role.")
    if role in AUTHORITY_ROLES and authority is None:
        errors["authority"] = _l("Officials and heads must belong to a state body.")
    if password is not None:
        problem = password_problem(password, email)
        if problem:
            errors["password"] = problem
    if "email" not in errors and get_user_by_email(session, email):
        errors["email"] = _l("An account with this e-mail already exists.")
    if errors:
        raise AccountError(errors)
    user = User(
        email=email,
        password_hash=hash_password(password) if password else None,
        role=role,
        full_name=full_name.strip()[:300],
        authority=authority,
        position=position,
        locale=locale,
        created_at=now,
        # Accounts made by an administrator or on the command line count as confirmed; a
        # citizen's own registration is confirmed by the link sent to the address.
        email_confirmed_at=now if email_confirmed else None,
    )
    session.add(user)
    return user


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> User | None:
    """Return the active user with this e-mail and password, or None (same cost either way)."""
    user = get_user_by_email(session, email)
    ok = verify_password(password or "", user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        return None
    user.last_login_at = now
    return user


def set_password(
    session: Session,
    user: User,
    password: str,
    confirmation: str,
    *,
    now: datetime,
    keep_session: str | None = None,
) -> None:
    """Set a new password (an invitation or reset link) after checking it against the policy.

    Every session of the person ends, except `keep_session` (the one a change is made from).
    """
    errors: dict[str, object] = {}
    problem = password_problem(password or "", user.email)
    if not password:
        errors["password"] = _l("This field is required.")
    elif problem:
        errors["password"] = problem
    elif password != confirmation:
        errors["password_confirm"] = _l("The passwords do not match.")
    if errors:
        raise AccountError(errors)
    user.password_hash = hash_password(password)
    user.last_login_at = now
    # The link came to the address: it is proved.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    # Whoever knew the old password (or holds a cookie of it) is logged out everywhere.
    end_all_sessions(session, user, now=now, reason="password", keep_token=keep_session)
