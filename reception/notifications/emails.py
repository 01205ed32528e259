"""One function per e-mail; each queues its message in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from reception.core.i18n import lazy_gettext as _l
from reception.core.labels import EVENT_LABELS, ROLE_LABELS
from reception.directory.queries import get_authority
from reception.domain.workflow import Action
from reception.notifications.models import OutboxMessage
from reception.notifications.outbox import queue_email

if TYPE_CHECKING:  # for the annotations only: notifications sit below accounts and appeals
    from reception.accounts.models import User
    from reception.appeals.models import Appeal, AppealEvent

# What the applicant reads about a step they took themselves: the words the page said
# when they took it.
OWN_STEP_HEADLINES = {
    "reply": _l("Your reply has been sent. The term of consideration runs again."),
    "withdraw": _l("Your appeal has been withdrawn."),
    "rate": _l("Thank you for your rating."),
}


def _track_url(base_url: str, appeal: Appeal) -> str:
    return f"{base_url}/track?number={appeal.number}"


def appeal_registered(
    session: Session, appeal: Appeal, access_code: str, *, base_url: str, now: datetime
):
    """Tell the applicant the number, due date and access code of a new appeal.

    An applicant without e-mail (filed by an operator) gets no message: the operator hands
    over or reads out the receipt, and the staff notify them by post or phone."""
    for co in appeal.co_applicants:
        # Each co-signer of a collective appeal (Art. 22) with an e-mail is told too, in
        # their own message, never with the access code: the representative holds it.
        if co.email:
            queue_email(
                session,
                "appeal_registered",
                recipient=co.email,
                locale=appeal.language,
                appeal=appeal,
                now=now,
                dedupe_key=f"co:{co.id}:register",
                context={
                    "appeal": appeal,
                    "access_code": None,
                    "name": co.full_name,
                    "representative": appeal.full_name,
                    "track_url": _track_url(base_url, appeal),
                },
            )
    if not appeal.email:
        return None
    return queue_email(
        session,
        "appeal_registered",
        recipient=appeal.email,
        locale=appeal.language,
        appeal=appeal,
        now=now,
        context={
            "appeal": appeal,
            "access_code": access_code,
            "track_url": _track_url(base_url, appeal),
        },
    )


def appeal_updated(
    session: Session, appeal: Appeal, event: AppealEvent, *, base_url: str, now: datetime
):
    """Tell the applicant about a public step: forwarded, clarification, extension, answer...

    The applicant's own steps are acknowledged as theirs ("We received your reply"), not
    announced as news about them ("The applicant replied"). Without an e-mail address
    nothing is queued: the appeal page shows the staff what to send by post or phone."""
    complaint_to = event.data.get("complaint_to")
    forwarded_to = event.data.get("to") if event.action == Action.forward else None
    context = {
        "appeal": appeal,
        "event": event,
        "complaint_to": get_authority(session, complaint_to) if complaint_to else None,
        "forwarded_to": get_authority(session, forwarded_to) if forwarded_to else None,
        "track_url": _track_url(base_url, appeal),
        "headline": OWN_STEP_HEADLINES.get(event.action) or EVENT_LABELS.get(event.action),
    }
    for co in appeal.co_applicants:
        # Co-signers of a collective appeal (Art. 22): each their own message, once per event.
        if co.email:
            queue_email(
                session,
                "appeal_update",
                recipient=co.email,
                locale=appeal.language,
                appeal=appeal,
                now=now,
                dedupe_key=f"co:{co.id}:event:{event.id}",
                partials={"details": "email/appeal_update/details.txt"},
                context={**context, "name": co.full_name},
            )
    if not appeal.email:
        return None
    return queue_email(
        session,
        "appeal_update",
        recipient=appeal.email,
        locale=appeal.language,
        appeal=appeal,
        now=now,
        partials={"details": "email/appeal_update/details.txt"},
        context=context,
    )


def resolution_survey(
    session: Session,
    appeal: Appeal,
    *,
    key: str,
    yes_url: str,
    no_url: str,
    valid_until,
    complain_by,
    complaint_to,
    now: datetime,
):
    """Ask the applicant, some days after the answer, whether the problem was resolved."""
    return queue_email(
        session,
        "resolution_survey",
        recipient=appeal.email,
        locale=appeal.language,
        appeal=appeal,
        now=now,
        dedupe_key=key,
        context={
            "appeal": appeal,
            "yes_url": yes_url,
            "no_url": no_url,
            "valid_until": valid_until,
            "complain_by": complain_by,
            "complaint_to": complaint_to,
        },
    )


def _staff_locale(user: User) -> str:
    return user.locale or "kk"


def deadline_reminder(
    session: Session, appeal: Appeal, executor: User, *, key: str, base_url: str, now: datetime
):
    """Remind the executor that an appeal's term ends soon."""
    return queue_email(
        session,
        "deadline_reminder",
        recipient=executor.email,
        locale=_staff_locale(executor),
        appeal=appeal,
        now=now,
        dedupe_key=key,
        context={
            "appeal": appeal,
            "user": executor,
            "url": f"{base_url}/review/appeals/{appeal.number}",
        },
    )


def overdue_alert(
    session: Session, appeal: Appeal, head: User, *, key: str, base_url: str, now: datetime
):
    """Alert the head that an appeal's term has passed without a decision."""
    return queue_email(
        session,
        "overdue_alert",
        recipient=head.email,
        locale=_staff_locale(head),
        appeal=appeal,
        now=now,
        dedupe_key=key,
        context={
            "appeal": appeal,
            "user": head,
            "url": f"{base_url}/review/appeals/{appeal.number}",
        },
    )


def password_reset(
    session: Session, user: User, *, url: str, valid_hours: int, now: datetime
) -> OutboxMessage:
    """Send a one-time link to set a new password, in the person's language."""
    return queue_email(
        session,
        "password_reset",
        recipient=user.email,
        locale=user.locale or "kk",
        now=now,
        context={"user": user, "url": url, "valid_hours": valid_hours},
    )


def user_invitation(
    session: Session, user: User, *, url: str, valid_hours: int, now: datetime
) -> OutboxMessage:
    """Invite a new staff member (or let one set a new password) through a one-time link."""
    return queue_email(
        session,
        "invitation",
        recipient=user.email,
        locale=_staff_locale(user),
        now=now,
        context={
            "user": user,
            "role": ROLE_LABELS.get(user.role, user.role),
            "url": url,
            "valid_hours": valid_hours,
            # A re-sent link to someone who already has a password sets a new one.
            "has_password": user.password_hash is not None,
        },
    )


def confirm_email(
    session: Session, user: User, *, url: str, valid_hours: int, now: datetime
) -> OutboxMessage:
    """Ask a citizen who has just registered to prove the address by opening a link."""
    return queue_email(
        session,
        "confirm_email",
        recipient=user.email,
        locale=user.locale or "kk",
        now=now,
        context={"user": user, "url": url, "valid_hours": valid_hours},
    )


def registration_attempt(
    session: Session, user: User, *, locale: str, login_url: str, reset_url: str, now: datetime
) -> OutboxMessage:
    """Tell the owner of an address that someone tried to register it again.

    The registration page answers the same as for a new address; only the owner learns
    that the account exists.
    """
    return queue_email(
        session,
        "registration_attempt",
        recipient=user.email,
        locale=user.locale or locale,
        now=now,
        context={"user": user, "login_url": login_url, "reset_url": reset_url},
    )


def two_factor_changed(
    session: Session, user: User, *, change: str, url: str, now: datetime
) -> OutboxMessage:
    """Tell a person that two-step verification on their account was turned on, turned off,
    reset by an administrator, or given new recovery codes (change: on, off, reset, codes)."""
    return queue_email(
        session,
        "two_factor_changed",
        recipient=user.email,
        locale=user.locale or "kk",
        now=now,
        partials={"what": "email/two_factor_changed/what.txt"},
        context={"user": user, "change": change, "url": url},
    )


def second_factor_locked(
    session: Session, user: User, *, failures: int, minutes: int, url: str, now: datetime
) -> OutboxMessage:
    """Tell a person that wrong second-factor codes locked the second log-in step."""
    return queue_email(
        session,
        "second_factor_locked",
        recipient=user.email,
        locale=user.locale or "kk",
        now=now,
        context={"user": user, "failures": failures, "minutes": minutes, "url": url},
    )
