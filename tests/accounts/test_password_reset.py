"""A forgotten password: a link that works once, for two hours, and reveals no account."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from reception.accounts.invitations import (
    InvitationSettings,
    make_invitation_token,
    read_invitation_token,
)
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.factories import make_user

NEW_PASSWORD = "a brand new password"


def reset_link(message) -> str:
    return re.search(r"https?://\S+/account/set-password/\S+", message.body_text).group(0)


def test_known_and_unknown_addresses_get_the_same_answer(client):
    make_user(email="citizen@example.kz")
    known = client.post("/password/forgot", data={"email": "citizen@example.kz"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.kz"})
    assert known.status_code == unknown.status_code == 200

    def page(response):  # less the address the person typed, which the page repeats
        text = response.get_data(as_text=True)
        return text.replace("citizen@example.kz", "").replace("nobody@example.kz", "")

    assert page(known) == page(unknown)
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "citizen@example.kz"


def test_the_link_sets_a_new_password_once(client, app):
    make_user(email="citizen@example.kz", locale="en")
    client.post("/password/forgot", data={"email": "citizen@example.kz"})
    link = reset_link(db.session.scalar(select(OutboxMessage)))
    path = link.split("reception.test", 1)[1]
    response = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    other = app.test_client()
    assert (
        other.post(
            "/login", data={"email": "citizen@example.kz", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    assert other.get(path).status_code == 404  # used once: gone


def test_a_reset_link_expires_after_two_hours_but_an_invitation_lives_longer(app):
    user = make_user(email="citizen@example.kz")
    settings = InvitationSettings.from_config(app.config)
    issued = datetime(2026, 11, 23, 8, tzinfo=UTC)
    reset = make_invitation_token(user, settings=settings, now=issued, purpose="reset")
    invite = make_invitation_token(user, settings=settings, now=issued)
    later = issued + timedelta(hours=3)
    assert (
        read_invitation_token(db.session, reset, settings=settings, now=issued + timedelta(hours=1))
        == user
    )
    assert read_invitation_token(db.session, reset, settings=settings, now=later) is None
    assert read_invitation_token(db.session, invite, settings=settings, now=later) == user


def test_bad_input_gets_a_message(client):
    response = client.post("/password/forgot", data={"email": ""})
    assert response.status_code == 422
    assert "Enter your e-mail address." in response.get_data(as_text=True)


def test_the_link_opens_in_the_language_of_the_account(client):
    make_user(email="citizen@example.kz", locale="ru")
    client.post("/password/forgot", data={"email": "citizen@example.kz"})
    path = reset_link(db.session.scalar(select(OutboxMessage))).split("reception.test", 1)[1]
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'lang="ru"' in page.get_data(as_text=True)
    # A language the reader chose on the site still wins.
    client.get("/lang/kk")
    assert 'lang="kk"' in client.get(path).get_data(as_text=True)
