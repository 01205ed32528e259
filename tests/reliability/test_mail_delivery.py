"""E-mail against a real SMTP server: down while appeals are filed, a worker killed mid-batch,
two workers at once. Every message arrives exactly once."""

import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.notifications.outbox import DeliveryPolicy, deliver_due
from reception.notifications.transports import SmtpTransport
from tests.factories import make_appeal

# Workers with their own sessions and a mail server in a thread: real commits.
pytestmark = pytest.mark.commits

POLICY = DeliveryPolicy(max_attempts=5, backoff_seconds=60, batch_size=50)
START = datetime(2026, 11, 17, 4, tzinfo=UTC)


class Inbox:
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"

    def message_ids(self):
        ids = []
        for content in self.messages:
            for line in content.splitlines():
                if line.lower().startswith("message-id:"):
                    ids.append(line.split(":", 1)[1].strip())
        return ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_app(make_app):
    port = free_port()
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_TRANSPORT="smtp",
        MAIL_USE_TLS=False,
        MAIL_SUPPRESS_SEND=False,
    )
    return app, port


def start_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def test_mail_server_down_then_back_every_message_once(smtp_app):
    app, port = smtp_app
    for _ in range(3):
        make_appeal(START)  # filing never talks to the mail server
    transport = SmtpTransport("Reception <no-reply@reception.test>")
    with app.app_context():
        down = deliver_due(db.session, transport, now=START, policy=POLICY)
        assert down.retried == 3 and down.sent == 0
        controller, inbox = start_server(port)
        try:
            later = START + timedelta(minutes=5)
            assert deliver_due(db.session, transport, now=later, policy=POLICY).sent == 3
            assert (
                deliver_due(
                    db.session, transport, now=later + timedelta(hours=1), policy=POLICY
                ).sent
                == 0
            )
        finally:
            controller.stop()
    ids = inbox.message_ids()
    assert len(ids) == 3 and len(set(ids)) == 3


class Killed(BaseException):
    """Stands for the worker process being killed (not an error it could catch)."""


def test_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(smtp_app):
    app, port = smtp_app
    for _ in range(5):
        make_appeal(START)
    controller, inbox = start_server(port)
    try:
        with app.app_context():
            smtp = SmtpTransport("Reception <no-reply@reception.test>")

            class DiesOnThird:
                calls = 0

                def send(self, message):
                    self.calls += 1
                    if self.calls == 3:
                        raise Killed()
                    smtp.send(message)

            with pytest.raises(Killed):
                deliver_due(db.session, DiesOnThird(), now=START, policy=POLICY)
            db.session.rollback()
            db.session.remove()
            # A new worker starts and finishes the batch.
            assert deliver_due(db.session, smtp, now=START, policy=POLICY).sent == 3
            assert (
                db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 5
            )
    finally:
        controller.stop()
    ids = inbox.message_ids()
    assert len(ids) == 5 and len(set(ids)) == 5


def test_two_workers_at_once_deliver_each_message_once(smtp_app, postgres_only):
    app, port = smtp_app
    for _ in range(20):
        make_appeal(START)
    controller, inbox = start_server(port)
    errors = []

    def worker():
        try:
            with app.app_context(), Session(db.engine) as session:
                deliver_due(
                    session,
                    SmtpTransport("Reception <no-reply@reception.test>"),
                    now=START,
                    policy=POLICY,
                )
        except BaseException as error:  # reported below
            errors.append(error)

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        controller.stop()
    assert errors == []
    ids = inbox.message_ids()
    assert len(ids) == 20 and len(set(ids)) == 20
