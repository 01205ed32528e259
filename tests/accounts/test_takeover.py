"""Someone who registers another person's address cannot log in to it once its owner
confirms it: the password on the account is always one its owner chose."""

import re

from sqlalchemy import select

from reception.accounts.models import User
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.notifications.outbox import DeliveryPolicy, deliver_due
from reception.notifications.transports import MemoryTransport
from tests.factories import appeal_data

VICTIM = "victim@example.kz"
ATTACKER_PASSWORD = "attacker knows this one"
VICTIM_PASSWORD = "the owner chose this"


def confirmation_path(address: str) -> str:
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == address, OutboxMessage.template == "confirm_email")
        .order_by(OutboxMessage.id.desc())
    ).first()
    link = re.search(r"https?://\S+/register/confirm/\S+", message.body_text).group(0)
    return link.split("reception.test", 1)[1]


def register(client, email: str, password: str):
    form = {
        "full_name": "Someone",
        "email": email,
        "password": password,
        "password_confirm": password,
    }
    assert client.post("/register", data=form).status_code == 200


def test_the_pre_registered_password_does_not_survive_the_owners_confirmation(app):
    attacker = app.test_client()
    register(attacker, VICTIM, ATTACKER_PASSWORD)
    # The owner opens the link that came to their mailbox. It confirms nothing by itself.
    victim = app.test_client()
    path = confirmation_path(VICTIM)
    page = victim.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(User.email_confirmed_at)) is None
    # The owner does not know the attacker's password...
    guessed = victim.post(path, data={"password": VICTIM_PASSWORD})
    assert guessed.status_code == 422
    assert "not the password chosen" in guessed.get_data(as_text=True)
    # ...and chooses their own, which replaces it.
    chosen = victim.post(
        path, data={"new_password": VICTIM_PASSWORD, "new_password_confirm": VICTIM_PASSWORD}
    )
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/my/appeals"
    filed = victim.post("/appeals/new", data=appeal_data(email=VICTIM, subject="Private matter"))
    receipt = filed.headers["Location"]
    assert victim.get(receipt).status_code == 200

    # The attacker's password no longer opens the account, and the appeal stays private.
    refused = attacker.post("/login", data={"email": VICTIM, "password": ATTACKER_PASSWORD})
    assert refused.status_code == 401
    assert attacker.get(receipt).status_code == 404
    assert attacker.get("/my/appeals").status_code == 302
    owner = app.test_client()
    assert (
        owner.post("/login", data={"email": VICTIM, "password": VICTIM_PASSWORD}).status_code == 302
    )


def test_a_new_password_on_the_confirmation_page_follows_the_password_policy(app):
    register(app.test_client(), VICTIM, ATTACKER_PASSWORD)
    victim = app.test_client()
    path = confirmation_path(VICTIM)
    short = victim.post(path, data={"new_password": "short", "new_password_confirm": "short"})
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    mismatch = victim.post(
        path, data={"new_password": VICTIM_PASSWORD, "new_password_confirm": "something else"}
    )
    assert mismatch.status_code == 422 and "do not match" in mismatch.get_data(as_text=True)
    empty = victim.post(path, data={})
    assert empty.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(select(User.email_confirmed_at)) is None


def test_the_link_works_once(app):
    register(app.test_client(), VICTIM, VICTIM_PASSWORD)
    path = confirmation_path(VICTIM)
    first = app.test_client()
    assert first.post(path, data={"password": VICTIM_PASSWORD}).status_code == 302
    again = app.test_client().post(path, data={"password": VICTIM_PASSWORD})
    assert again.status_code == 302 and again.headers["Location"] == "/login"


def test_a_delivered_confirmation_keeps_no_working_link(app):
    register(app.test_client(), VICTIM, VICTIM_PASSWORD)
    path = confirmation_path(VICTIM)
    token = path.rsplit("/", 1)[1]
    from reception.core.types import utcnow

    deliver_due(db.session, MemoryTransport(), now=utcnow(), policy=DeliveryPolicy())
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "sent"
    assert token not in message.body_text and token not in message.body_html
    assert "/register/confirm/*****" in message.body_text
