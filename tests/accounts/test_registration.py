"""Registration proves the address by e-mail, and never tells who already has an account."""

import re

import pytest
from sqlalchemy import select

from reception.accounts.models import User
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.factories import PASSWORD, make_user

FORM = {
    "full_name": "Айгүл Серікова",
    "email": "Aigul@Example.kz",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def messages_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def confirmation_path(message: OutboxMessage) -> str:
    link = re.search(r"https?://\S+/register/confirm/\S+", message.body_text).group(0)
    return link.split("reception.test", 1)[1]


def test_a_new_account_waits_for_the_link_sent_to_the_address(client):
    response = client.post("/register", data=FORM)
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    user = db.session.scalars(select(User)).one()
    assert user.email == "aigul@example.kz" and user.role == "citizen"
    assert user.password_hash.startswith("$argon2") and user.email_confirmed_at is None
    # Not logged in, and the password alone does not open the account yet.
    assert client.get("/my/appeals").status_code == 302
    refused = client.post("/login", data={"email": "aigul@example.kz", "password": PASSWORD})
    assert refused.status_code == 403
    assert "Confirm your e-mail address first" in refused.get_data(as_text=True)
    # Each refused log-in sends a fresh link; either works.
    first, second = messages_to("aigul@example.kz")
    assert first.template == second.template == "confirm_email"

    # The link asks for the password chosen at registration (or a new one).
    assert client.get(confirmation_path(first)).status_code == 200
    opened = client.post(confirmation_path(first), data={"password": PASSWORD})
    assert opened.status_code == 302 and opened.headers["Location"] == "/my/appeals"
    db.session.refresh(user)
    assert user.email_confirmed_at is not None and user.last_login_at is not None
    assert client.get("/my/appeals").status_code == 200
    # The link logs in once; later it only points at the log-in page.
    other = client.application.test_client()
    again = other.get(confirmation_path(second))
    assert again.status_code == 302 and again.headers["Location"] == "/login"
    assert other.get("/my/appeals").status_code == 302
    logged_in = other.post("/login", data={"email": "aigul@example.kz", "password": PASSWORD})
    assert logged_in.status_code == 302


def test_an_existing_address_gets_the_same_page_and_only_its_owner_learns_of_it(client):
    make_user(email="taken@example.kz", full_name="Бар Адам")
    new = client.post("/register", data={**FORM, "email": "fresh@example.kz"})
    taken = client.post("/register", data={**FORM, "email": "TAKEN@example.kz"})
    assert new.status_code == taken.status_code == 200

    def page(response):  # less the address the person typed, which the page repeats
        text = response.get_data(as_text=True)
        for address in ("fresh@example.kz", "TAKEN@example.kz"):
            text = text.replace(address, "")
        return text

    assert page(new) == page(taken)
    assert db.session.scalar(select(User).where(User.email == "fresh@example.kz")) is not None
    [notice] = messages_to("taken@example.kz")
    assert notice.template == "registration_attempt"
    assert "/login" in notice.body_text and "/password/forgot" in notice.body_text
    # The existing account and its password are untouched.
    assert (
        client.post("/login", data={"email": "taken@example.kz", "password": PASSWORD}).status_code
        == 302
    )


def test_a_weak_password_is_refused_even_for_an_address_that_exists(client):
    make_user(email="taken@example.kz")
    answers = [
        client.post(
            "/register",
            data={**FORM, "email": email, "password": "short", "password_confirm": "short"},
        )
        for email in ("taken@example.kz", "fresh@example.kz")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert all("at least 10 characters" in a.get_data(as_text=True) for a in answers)
    assert messages_to("taken@example.kz") == []


@pytest.mark.parametrize("path", ["/register/confirm/nonsense", "/register/confirm/" + "x" * 600])
def test_a_forged_confirmation_link_is_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)


def test_a_confirmation_link_cannot_set_a_password_nor_a_reset_link_confirm(client, app):
    client.post("/register", data=FORM)
    [message] = messages_to("aigul@example.kz")
    token = confirmation_path(message).rsplit("/", 1)[1]
    assert client.get(f"/account/set-password/{token}").status_code == 404

    client.post("/password/forgot", data={"email": "aigul@example.kz"})
    reset = [m for m in messages_to("aigul@example.kz") if m.template == "password_reset"][0]
    reset_token = re.search(r"/account/set-password/(\S+)", reset.body_text).group(1)
    assert client.get(f"/register/confirm/{reset_token}").status_code == 404


def test_setting_a_password_from_a_reset_link_proves_the_address(client):
    """Someone registered your address first: a reset link gives the account to its owner."""
    client.post("/register", data=FORM)
    client.post("/password/forgot", data={"email": "aigul@example.kz"})
    reset = [m for m in messages_to("aigul@example.kz") if m.template == "password_reset"][0]
    path = re.search(r"/account/set-password/\S+", reset.body_text).group(0)
    new_password = "owner's own new password"
    response = client.post(path, data={"password": new_password, "password_confirm": new_password})
    assert response.status_code == 302
    user = db.session.scalars(select(User)).one()
    db.session.refresh(user)
    assert user.email_confirmed_at is not None


def test_the_confirmation_email_is_in_the_language_of_the_registration(client):
    client.post("/register", data=FORM, headers={"Accept-Language": "ru"})
    [message] = messages_to("aigul@example.kz")
    assert "Подтвердите" in message.subject
