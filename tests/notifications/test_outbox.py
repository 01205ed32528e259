"""The outbox: written with the appeal, delivered later, retried, never sent twice."""

import re
from datetime import timedelta

from sqlalchemy import select

from reception.extensions import db, mail
from reception.notifications.models import DeliveryAttempt, OutboxMessage
from reception.notifications.outbox import DeliveryPolicy, deliver_due
from reception.notifications.transports import MemoryTransport, SmtpTransport
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_appeal


class BrokenTransport:
    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise ConnectionRefusedError("mail server is down")


POLICY = DeliveryPolicy(max_attempts=3, backoff_seconds=60, batch_size=50)


def test_due_messages_are_sent_once_and_marked_sent():
    make_appeal(TUESDAY_MORNING)
    make_appeal(TUESDAY_MORNING)
    transport = MemoryTransport()
    report = deliver_due(db.session, transport, now=TUESDAY_MORNING, policy=POLICY)
    assert report.sent == 2 and len(transport.sent) == 2
    again = deliver_due(
        db.session, transport, now=TUESDAY_MORNING + timedelta(hours=1), policy=POLICY
    )
    assert again.sent == 0 and len(transport.sent) == 2
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.status for m in messages} == {"sent"}
    # The copies kept after delivery no longer carry the access code.
    assert all("*****-*****" in m.body_text and "*****-*****" in m.body_html for m in messages)
    assert all(m.sent_at is not None for m in messages)


def test_mail_server_down_never_fails_a_filing_and_messages_wait_for_it(client):
    broken = BrokenTransport()
    make_appeal(TUESDAY_MORNING)  # filing does not touch the transport at all
    report = deliver_due(db.session, broken, now=TUESDAY_MORNING, policy=POLICY)
    assert report.retried == 1 and broken.calls == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at == TUESDAY_MORNING + timedelta(seconds=60)
    assert "mail server is down" in message.last_error

    # Not due yet: nothing is tried.
    deliver_due(db.session, broken, now=TUESDAY_MORNING + timedelta(seconds=30), policy=POLICY)
    assert broken.calls == 1

    # The server is back: the message goes out exactly once.
    working = MemoryTransport()
    later = TUESDAY_MORNING + timedelta(minutes=5)
    deliver_due(db.session, working, now=later, policy=POLICY)
    deliver_due(db.session, working, now=later + timedelta(hours=1), policy=POLICY)
    assert len(working.sent) == 1
    attempts = db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
    assert [a.succeeded for a in attempts] == [False, True]


def test_backoff_doubles_and_gives_up_after_the_last_attempt():
    make_appeal(TUESDAY_MORNING)
    broken = BrokenTransport()
    now = TUESDAY_MORNING
    delays = []
    for _ in range(3):
        deliver_due(db.session, broken, now=now, policy=POLICY)
        message = db.session.scalar(select(OutboxMessage))
        if message.status == "pending":
            delays.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert delays == [timedelta(seconds=60), timedelta(seconds=120)]
    assert message.status == "failed" and message.attempts == 3
    deliver_due(db.session, broken, now=now + timedelta(days=1), policy=POLICY)
    assert broken.calls == 3


def test_smtp_transport_hands_the_message_to_flask_mail(app):
    make_appeal(TUESDAY_MORNING)
    app.config["MAIL_SUPPRESS_SEND"] = True
    mail.init_app(app)
    try:
        with mail.record_messages() as outbox:
            deliver_due(
                db.session,
                SmtpTransport("Reception <no-reply@reception.test>"),
                now=TUESDAY_MORNING,
                policy=POLICY,
            )
    finally:
        app.config["MAIL_SUPPRESS_SEND"] = False
        mail.init_app(app)
    assert len(outbox) == 1
    sent = outbox[0]
    assert sent.recipients == ["askar@example.kz"]
    assert sent.html and sent.body
    assert re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}", sent.body)  # the citizen gets the real code
    assert sent.msgId.endswith("@reception>")
    assert sent.as_string().count("Message-ID:") == 1
