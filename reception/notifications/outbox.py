"""Queue e-mail in the caller's transaction; deliver it later, with retries.

A message is written in the same transaction as the change it reports, so it exists
exactly when the change does. Delivery happens outside web requests: each message is
claimed under a row lock (FOR UPDATE SKIP LOCKED on PostgreSQL, so that several workers
can run), sent, and marked sent in the same transaction, so a sent message is never
picked again. Every attempt is recorded.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.notifications.models import DeliveryAttempt, OutboxMessage

if TYPE_CHECKING:  # for the annotations only: the outbox sits below the appeals
    from reception.appeals.models import Appeal

# Access codes (see domain.identifiers): five and five characters of the code alphabet.
_ACCESS_CODE = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")
# Links that carry a credential (accounts.invitations): invitations and password resets
# set a password, a confirmation link proves an address and logs its owner in.
_TOKEN_LINK = re.compile(r"(/(?:account/set-password|register/confirm)/)[A-Za-z0-9_.\-]+")


def redact_secrets(body: str) -> str:
    """Mask access codes and the tokens of links in a stored message body."""
    return _ACCESS_CODE.sub("*****-*****", _TOKEN_LINK.sub(r"\1*****", body))


def queue_email(
    session: Session,
    template: str,
    *,
    recipient: str,
    locale: str,
    context: dict,
    now: datetime,
    appeal: Appeal | None = None,
    dedupe_key: str | None = None,
    partials: dict[str, str] | None = None,
) -> OutboxMessage:
    """Render templates/email/<template>/ in the locale and add the message to the outbox.

    `partials` are plain-text templates rendered first and passed in as strings, so the
    text part prints them as they are and the HTML part escapes them.
    """
    with force_locale(locale):
        context = dict(context)
        for name, partial in (partials or {}).items():
            context[name] = render_template(partial, **context).strip()
        subject = render_template(f"email/{template}/subject.txt", **context)
        body_text = render_template(f"email/{template}/body.txt", **context)
        body_html = render_template(f"email/{template}/body.html", **context)
    message = OutboxMessage(
        template=template,
        recipient=recipient,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        message_id=f"<{secrets.token_hex(16)}@reception>",
        appeal=appeal,
        dedupe_key=dedupe_key,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    return message


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 8
    backoff_seconds: int = 60
    batch_size: int = 50

    def delay_after(self, attempts: int) -> timedelta:
        """Exponential backoff: 1, 2, 4, ... times the base, capped at a day."""
        return timedelta(seconds=min(self.backoff_seconds * 2 ** (attempts - 1), 86_400))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _claim_next(session: Session, now: datetime) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def deliver_due(
    session: Session, transport: Transport, *, now: datetime, policy: DeliveryPolicy
) -> DeliveryReport:
    """Send the messages that are due, one transaction each; return what happened."""
    report = DeliveryReport()
    seen: set[int] = set()
    for _ in range(policy.batch_size):
        message = _claim_next(session, now)
        if message is None or message.id in seen:
            session.rollback()
            break
        seen.add(message.id)
        message.attempts += 1
        try:
            transport.send(message)
        except Exception as error:  # any transport failure is retried, never fatal
            session.add(
                DeliveryAttempt(
                    message=message, attempted_at=now, succeeded=False, error=str(error)[:2000]
                )
            )
            message.last_error = str(error)[:2000]
            if message.attempts >= policy.max_attempts:
                message.status = "failed"
                # Never delivered: the stored copy need not keep a working secret either.
                message.body_text = redact_secrets(message.body_text)
                message.body_html = redact_secrets(message.body_html)
                report.failed += 1
            else:
                message.next_attempt_at = now + policy.delay_after(message.attempts)
                report.retried += 1
        else:
            session.add(DeliveryAttempt(message=message, attempted_at=now, succeeded=True))
            message.status = "sent"
            message.sent_at = now
            # Once delivered, the stored copy no longer needs the secret it carried.
            message.body_text = redact_secrets(message.body_text)
            message.body_html = redact_secrets(message.body_html)
            message.last_error = None
            report.sent += 1
        session.commit()
    return report
