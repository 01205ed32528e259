"""Accounts and keys: invite staff, change their roles, switch them off, issue API keys.

People are never deleted: appeals' history names who did what. An administrator may not
lock themselves out, and the last active administrator stays one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception.accounts import two_factor
from reception.accounts.apikeys import create_api_key
from reception.accounts.invitations import InvitationSettings, make_invitation_token
from reception.accounts.models import ApiKey, User
from reception.accounts.services import AccountError, create_user, get_user_by_email
from reception.accounts.user_sessions import end_all_sessions
from reception.admin.services.common import Checks, assign, line, record, snapshot
from reception.core.i18n import lazy_gettext as _l
from reception.core.refusals import Refused
from reception.directory.models import Authority
from reception.domain.workflow import AUTHORITY_ROLES, LANGUAGES, STAFF_ROLES, Role
from reception.notifications import emails

# Roles that may belong to a state body: officials and heads must, operators may.
ROLES_WITH_AUTHORITY = AUTHORITY_ROLES | {Role.operator}
# Who an API key may act for (the staff JSON API refuses everyone else).
KEY_ROLES = STAFF_ROLES
NAME_MAX = 300
POSITION_MAX = 200
KEY_NAME_MAX = 200
USER_FIELDS = ("email", "full_name", "role", "authority", "position", "locale")


def _check_profile(session: Session, data: Mapping, user: User | None) -> tuple[Checks, dict]:
    """The fields an administrator sets: name, role, state body, job title, language."""
    checks = Checks()
    values: dict[str, object] = {"full_name": line(data, "full_name")}
    checks.text("full_name", values["full_name"], NAME_MAX)
    role = line(data, "role")
    if role not in tuple(Role):
        checks.fail("role", _l("Choose a role from the list."))
    values["role"] = role

    authority = None
    code = line(data, "authority")
    if code and role in ROLES_WITH_AUTHORITY:
        authority = session.scalar(select(Authority).where(Authority.code == code[:64]))
        if authority is None:
            checks.fail("authority", _l("Choose a state body from the list."))
        elif not authority.is_active and (user is None or user.authority_id != authority.id):
            checks.fail("authority", _l("This body is inactive: choose an active one."))
    elif role in AUTHORITY_ROLES:
        checks.fail("authority", _l("Officials and heads must belong to a state body."))
    values["authority"] = authority

    values["position"] = line(data, "position")
    checks.text("position", values["position"], POSITION_MAX, required=False)
    locale = line(data, "locale")
    if not locale and user is not None and user.locale is None:
        values["locale"] = None  # never chosen (registered citizens): leave it so
    else:
        if locale not in LANGUAGES:
            checks.fail("locale", _l("Choose the language of e-mails."))
        values["locale"] = locale
    return checks, values


def invite_user(
    session: Session,
    data: Mapping,
    *,
    actor: User | None,
    now: datetime,
    invitations: InvitationSettings,
) -> User:
    """Create an account without a password and e-mail its owner a set-password link."""
    checks, values = _check_profile(session, data, None)
    try:
        user = create_user(
            session,
            email=line(data, "email")[:1000],
            password=None,
            role=values["role"] if checks.ok("role") else Role.citizen,
            now=now,
            full_name=values["full_name"],
            # Only a checked body goes in; create_user refuses staff without one.
            authority=values["authority"] if checks.ok("authority") else None,
            position=values["position"],
            locale=values["locale"] if checks.ok("locale") else None,
        )
    except AccountError as refused:
        for name, message in refused.errors.items():
            checks.fail(name, message)
        user = None
    if checks.errors:
        if user is not None:
            session.expunge(user)
        raise Refused.fields(checks.errors)
    session.flush()
    record(
        session,
        actor=actor,
        now=now,
        entity="user",
        entity_id=user.id,
        action="create",
        changes=snapshot(user, USER_FIELDS),
    )
    _send_invitation(session, user, actor=actor, now=now, invitations=invitations)
    return user


def _send_invitation(
    session: Session,
    user: User,
    *,
    actor: User | None,
    now: datetime,
    invitations: InvitationSettings,
) -> None:
    token = make_invitation_token(user, settings=invitations, now=now)
    emails.user_invitation(
        session, user, url=invitations.url(token), valid_hours=invitations.valid_hours, now=now
    )
    record(
        session,
        actor=actor,
        now=now,
        entity="user",
        entity_id=user.id,
        action="invite",
        changes={"email": [None, user.email]},
    )


def resend_invitation(
    session: Session,
    user: User,
    *,
    actor: User | None,
    now: datetime,
    invitations: InvitationSettings,
) -> None:
    """Send the set-password link again (a new password, for someone who has one)."""
    if not user.is_active:
        raise Refused.fields({"_": _l("This account is deactivated: reactivate it first.")})
    _send_invitation(session, user, actor=actor, now=now, invitations=invitations)


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count(User.id)).where(User.role == Role.admin, User.is_active)
    )


def _keeps_an_admin(session: Session, user: User, actor: User | None) -> dict[str, object]:
    """Problems with taking the administrator role or account away from `user`."""
    if actor is not None and user.id == actor.id:
        return {"_": _l("You cannot take away your own administrator rights or account.")}
    if user.role == Role.admin and user.is_active and _active_admins(session) <= 1:
        return {"_": _l("This is the last active administrator: appoint another one first.")}
    return {}


def update_user(
    session: Session, user: User, data: Mapping, *, actor: User | None, now: datetime
) -> dict[str, list]:
    """Change a person's name, role, state body, job title or e-mail language."""
    checks, values = _check_profile(session, data, user)
    if checks.ok("role") and user.role == Role.admin and values["role"] != Role.admin:
        for name, message in _keeps_an_admin(session, user, actor).items():
            checks.fail("role" if name == "_" else name, message)
    checks.raise_if_any()
    changes = assign(user, values)
    if changes:
        record(
            session,
            actor=actor,
            now=now,
            entity="user",
            entity_id=user.id,
            action="update",
            changes=changes,
        )
    return changes


def deactivate_user(session: Session, user: User, *, actor: User | None, now: datetime) -> None:
    """Switch an account off: it can no longer log in, and its keys stop acting for it."""
    if not user.is_active:
        raise Refused.fields({"_": _l("This account is already deactivated.")})
    if actor is not None and user.id == actor.id:
        raise Refused.fields({"_": _l("You cannot deactivate your own account.")})
    problems = _keeps_an_admin(session, user, actor)
    if problems:
        raise Refused.fields(problems)
    user.is_active = False
    # Reactivating later must not bring back the log-ins of before.
    end_all_sessions(session, user, now=now, reason="admin")
    record(
        session,
        actor=actor,
        now=now,
        entity="user",
        entity_id=user.id,
        action="deactivate",
        changes={"is_active": [True, False]},
    )


def reactivate_user(session: Session, user: User, *, actor: User | None, now: datetime) -> None:
    """Let a deactivated account log in again."""
    if user.is_active:
        raise Refused.fields({"_": _l("This account is already active.")})
    if user.role in AUTHORITY_ROLES and (user.authority is None or not user.authority.is_active):
        raise Refused.fields(
            {"_": _l("This person's state body is inactive: move them to an active one first.")}
        )
    user.is_active = True
    record(
        session,
        actor=actor,
        now=now,
        entity="user",
        entity_id=user.id,
        action="reactivate",
        changes={"is_active": [False, True]},
    )


def end_sessions(
    session: Session, user: User, *, actor: User | None, now: datetime, keep_token: str | None
) -> int:
    """Log a person out everywhere (a lost phone, a stolen cookie); recorded in the audit log.

    An administrator ending their own sessions keeps the one they do it from.
    """
    keep = keep_token if actor is not None and user.id == actor.id else None
    ended = end_all_sessions(session, user, now=now, reason="admin", keep_token=keep)
    record(
        session,
        actor=actor,
        now=now,
        entity="user",
        entity_id=user.id,
        action="end_sessions",
        changes={"sessions_ended": [None, ended]},
    )
    return ended


def reset_two_factor(
    session: Session,
    user: User,
    *,
    actor: User | None,
    now: datetime,
    policy: two_factor.TwoFactorPolicy,
) -> None:
    """Forget a person's second factor (a lost phone); they set it up again at next log-in."""
    if not user.two_factor_enabled and not user.totp_secret:
        raise Refused.fields({"_": _l("Two-step verification is not set up for this account.")})
    if actor is not None and user.id == actor.id:
        raise Refused.fields(
            {"_": _l("You cannot reset your own two-step verification: ask another administrator.")}
        )
    two_factor.reset(session, user)
    two_factor.tell(session, user, "reset", policy=policy, now=now)
    record(
        session,
        actor=actor,
        now=now,
        entity="user",
        entity_id=user.id,
        action="reset_two_factor",
        changes={"two_factor": [True, False]},
    )


def issue_api_key(
    session: Session, data: Mapping, *, actor: User | None, now: datetime
) -> tuple[ApiKey, str]:
    """Create a key, optionally acting for a staff member; return it with its secret.

    The secret exists only in the return value: only its hash is stored, and the audit
    log keeps the name and the prefix.
    """
    checks = Checks()
    name = line(data, "name")
    checks.text("name", name, KEY_NAME_MAX)
    owner = None
    email = line(data, "user")
    if email:
        owner = get_user_by_email(session, email[:254]) if len(email) <= 254 else None
        if owner is None:
            checks.fail("user", _l("No account has this e-mail address."))
        elif not owner.is_active:
            checks.fail("user", _l("This account is deactivated."))
        elif owner.role not in KEY_ROLES:
            checks.fail(
                "user",
                _l("A key can act only for staff: an official, head, operator or administrator."),
            )
    checks.raise_if_any()
    key, secret = create_api_key(session, name=name, user=owner, now=now)
    session.flush()
    record(
        session,
        actor=actor,
        now=now,
        entity="api_key",
        entity_id=key.id,
        action="create",
        changes=snapshot(key, ("name", "prefix", "user")),
    )
    return key, secret


def revoke_api_key(session: Session, key: ApiKey, *, actor: User | None, now: datetime) -> None:
    """Stop a key from working, for good; its history stays."""
    if key.revoked_at is not None:
        raise Refused.fields({"_": _l("This key is already revoked.")})
    key.revoked_at = now
    record(
        session,
        actor=actor,
        now=now,
        entity="api_key",
        entity_id=key.id,
        action="revoke",
        changes={"revoked_at": [None, now.isoformat()]},
    )
