"""Registration, log-in and log-out."""

from reception.accounts.models import User
from reception.extensions import db
from tests.factories import PASSWORD, make_user


def test_registration_refuses_a_weak_password_and_keeps_the_rest(client):
    response = client.post(
        "/register",
        data={
            "full_name": "Айгүл",
            "email": "aigul@example.kz",
            "password": "short",
            "password_confirm": "short",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least 10 characters" in html
    assert 'value="aigul@example.kz"' in html
    assert db.session.query(User).count() == 0


def test_login_with_a_wrong_password_says_so_without_revealing_the_account(client):
    make_user(email="citizen@example.kz")
    wrong_password = client.post(
        "/login", data={"email": "citizen@example.kz", "password": "x" * 12}
    )
    unknown_user = client.post("/login", data={"email": "nobody@example.kz", "password": "x" * 12})
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert "The e-mail or password is wrong." in wrong_password.get_data(as_text=True)
    assert "The e-mail or password is wrong." in unknown_user.get_data(as_text=True)


def test_login_and_logout(client):
    make_user(email="citizen@example.kz")
    response = client.post("/login", data={"email": "CITIZEN@example.kz", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/my/appeals"
    assert client.post("/logout").status_code == 302
    assert client.get("/my/appeals").status_code == 302


def test_login_follows_next_only_within_the_site(client):
    make_user(email="citizen@example.kz")
    response = client.post(
        "/login?next=//evil.example/x", data={"email": "citizen@example.kz", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/my/appeals"


def test_deactivated_user_cannot_log_in(client):
    user = make_user(email="citizen@example.kz")
    user.is_active = False
    db.session.commit()
    response = client.post("/login", data={"email": "citizen@example.kz", "password": PASSWORD})
    assert response.status_code == 401
