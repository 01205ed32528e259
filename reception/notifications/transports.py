"""Ways to hand a message over: SMTP (Flask-Mail), the console, or memory (tests)."""

from __future__ import annotations

import sys

from flask_mail import Message

from reception.extensions import mail
from reception.notifications.models import OutboxMessage


class SmtpTransport:
    def __init__(self, sender: str):
        self.sender = sender

    def send(self, message: OutboxMessage) -> None:
        email = Message(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.body_text,
            html=message.body_html,
            sender=self.sender,
        )
        # Our stable id replaces Flask-Mail's fresh one (one Message-ID header, not two).
        email.msgId = message.message_id
        mail.send(email)


class ConsoleTransport:
    """Print the text part, so that a developer sees every e-mail in the terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: OutboxMessage) -> None:
        rule = "=" * 72
        print(
            f"\n{rule}\nTo: {message.recipient}\nSubject: {message.subject}\n"
            f"Message-ID: {message.message_id}\n\n{message.body_text}\n{rule}",
            file=self.stream,
            flush=True,
        )


class MemoryTransport:
    """Keep sent messages in a list; tests read it."""

    def __init__(self):
        self.sent: list[OutboxMessage] = []

    def send(self, message: OutboxMessage) -> None:
        self.sent.append(message)


def transport_for(config) -> SmtpTransport | ConsoleTransport | MemoryTransport:
    kind = config["MAIL_TRANSPORT"]
    if kind == "console":
        return ConsoleTransport()
    if kind == "memory":
        return MemoryTransport()
    return SmtpTransport(config["MAIL_DEFAULT_SENDER"])
