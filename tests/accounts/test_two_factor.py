"""Two-step verification: required for heads and administrators, optional for the rest."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reception.accounts import sessions, totp
from reception.accounts.models import RecoveryCode, User
from reception.admin.models import AuditEntry
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.factories import PASSWORD, make_staff, make_user


@pytest.fixture
def strict_app(make_app):
    return make_app(TWO_FACTOR_REQUIRED_ROLES=("head", "admin"))


@pytest.fixture
def head():
    return make_staff(role="head", email="head@example.kz")


def code(secret: str, steps_ahead: int = 0) -> str:
    """The app's code now, or the next step's (still accepted: one step of drift)."""
    return totp.code_at(secret, datetime.now(UTC) + timedelta(seconds=30 * steps_ahead))


def password_step(client, email: str):
    return client.post("/login", data={"email": email, "password": PASSWORD})


def set_up(client, email: str) -> tuple[str, list[str]]:
    """Walk the set-up as a person does; return the secret and the recovery codes."""
    page = client.get("/account/security/setup")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and page.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    shown = client.post("/account/security/setup", data={"code": code(secret)})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    codes = re.findall(
        r"<li>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</li>", shown.get_data(as_text=True)
    )
    assert len(codes) == 10
    user = db.session.scalar(select(User).where(User.email == email))
    db.session.refresh(user)
    assert user.two_factor_enabled and user.totp_secret == secret
    return secret, codes


def test_a_head_must_set_it_up_before_opening_any_page(strict_app, head):
    client = strict_app.test_client()
    response = password_step(client, head.email)
    assert response.status_code == 302 and response.headers["Location"] == "/account/security/setup"
    for path in ("/review/", "/monitoring/", "/my/appeals"):
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked.headers["Location"] == "/account/security/setup"
    # A wrong code keeps the same key on the page, and says what is wrong.
    page = client.get("/account/security/setup").get_data(as_text=True)
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1)
    wrong = client.post("/account/security/setup", data={"code": "000000"})
    assert wrong.status_code == 422
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert secret in wrong.get_data(as_text=True)
    set_up(client, head.email)
    assert client.get("/review/").status_code == 200


def test_logging_in_takes_the_password_and_then_a_code(strict_app, head):
    client = strict_app.test_client()
    password_step(client, head.email)
    secret, _codes = set_up(client, head.email)
    client.post("/logout")

    other = strict_app.test_client()
    response = password_step(other, head.email)
    assert response.headers["Location"] == "/login/verify"
    # Half-way is not logged in.
    assert other.get("/review/").headers["Location"].startswith("/login")
    assert other.post("/login/verify", data={"code": "123456"}).status_code == 401
    done = other.post("/login/verify", data={"code": code(secret, 1)})
    assert done.status_code == 302 and done.headers["Location"] == "/review/"
    assert other.get("/review/").status_code == 200
    db.session.refresh(head)
    assert head.last_login_at is not None

    # The same code does not open a second session (replay).
    third = strict_app.test_client()
    password_step(third, head.email)
    assert third.post("/login/verify", data={"code": code(secret, 1)}).status_code == 401


def test_a_recovery_code_works_once_and_says_how_many_are_left(strict_app, head):
    client = strict_app.test_client()
    password_step(client, head.email)
    _secret, codes = set_up(client, head.email)
    client.post("/logout")

    other = strict_app.test_client()
    password_step(other, head.email)
    done = other.post("/login/verify", data={"code": codes[3].lower().replace("-", " ")})
    assert done.status_code == 302
    assert "9 are left" in other.get("/review/").get_data(as_text=True)
    other.post("/logout")
    password_step(other, head.email)
    assert other.post("/login/verify", data={"code": codes[3]}).status_code == 401


def test_the_second_step_expires(strict_app, head, monkeypatch):
    client = strict_app.test_client()
    password_step(client, head.email)
    secret, _codes = set_up(client, head.email)
    client.post("/logout")
    password_step(client, head.email)
    monkeypatch.setattr(sessions, "PENDING_SECONDS", -1)
    late = client.post("/login/verify", data={"code": code(secret, 1)})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert client.get("/review/").headers["Location"].startswith("/login")


def test_new_recovery_codes_replace_the_old_ones(strict_app, head):
    client = strict_app.test_client()
    password_step(client, head.email)
    secret, old = set_up(client, head.email)
    refused = client.post("/account/security/recovery-codes", data={"renew-code": "111111"})
    assert refused.status_code == 422 and "This code is not right" in refused.get_data(as_text=True)
    renewed = client.post("/account/security/recovery-codes", data={"renew-code": code(secret, 1)})
    new = re.findall(r"<li>([A-Z2-9-]{14})</li>", renewed.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert db.session.query(RecoveryCode).filter_by(user_id=head.id).count() == 10
    client.post("/logout")
    password_step(client, head.email)
    assert client.post("/login/verify", data={"code": old[0]}).status_code == 401
    assert client.post("/login/verify", data={"code": new[0]}).status_code == 302


def test_an_official_may_turn_it_on_and_off_but_a_head_may_not_turn_it_off(strict_app, head):
    official = make_staff(role="official", email="official@example.kz")
    client = strict_app.test_client()
    password_step(client, official.email)
    assert client.get("/review/").status_code == 200  # not required for officials
    assert "Set up two-step verification" in client.get("/account/security").get_data(as_text=True)
    secret, _codes = set_up(client, official.email)
    turned_off = client.post("/account/security/disable", data={"off-code": code(secret, 1)})
    assert turned_off.status_code == 302
    db.session.refresh(official)
    assert not official.two_factor_enabled and official.totp_secret is None
    assert db.session.query(RecoveryCode).filter_by(user_id=official.id).count() == 0

    head_client = strict_app.test_client()
    password_step(head_client, head.email)
    head_secret, _ = set_up(head_client, head.email)
    assert "cannot be turned off" in head_client.get("/account/security").get_data(as_text=True)
    refused = head_client.post("/account/security/disable", data={"off-code": code(head_secret, 1)})
    assert refused.status_code == 422
    db.session.refresh(head)
    assert head.two_factor_enabled


def test_an_administrator_resets_a_lost_phone_and_it_is_audited(strict_app, head):
    admin = make_user(role="admin", email="admin@example.kz")
    head_client = strict_app.test_client()
    password_step(head_client, head.email)
    set_up(head_client, head.email)

    admin_client = strict_app.test_client()
    password_step(admin_client, admin.email)
    admin_secret, _ = set_up(admin_client, admin.email)
    page = admin_client.get(f"/admin/users/{head.id}").get_data(as_text=True)
    assert "Reset two-step verification" in page
    reset = admin_client.post(f"/admin/users/{head.id}/reset-two-factor")
    assert reset.status_code == 302
    db.session.refresh(head)
    assert not head.two_factor_enabled
    assert (
        db.session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.template == "two_factor_changed",
                OutboxMessage.recipient == head.email,
            )
            .order_by(OutboxMessage.id.desc())
        ).body_text.count("бастапқы күйге қайтарды")  # the head's language: Kazakh by default
        == 1
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reset_two_factor"))
    assert entry.entity_id == head.id and entry.actor_id == admin.id
    # An administrator cannot reset their own (another administrator must).
    own = admin_client.post(f"/admin/users/{admin.id}/reset-two-factor", follow_redirects=True)
    assert "ask another administrator" in own.get_data(as_text=True)
    # The head is asked to set it up again at the next log-in.
    again = strict_app.test_client()
    assert password_step(again, head.email).headers["Location"] == "/account/security/setup"


def test_the_second_step_is_rate_limited_per_person(make_app, head):
    limited = make_app(
        TWO_FACTOR_REQUIRED_ROLES=("head",),
        RATELIMIT_ENABLED=True,
        RATELIMIT_TWO_FACTOR="3 per minute",
    )
    client = limited.test_client()
    password_step(client, head.email)
    set_up(client, head.email)
    client.post("/logout")
    password_step(client, head.email)
    answers = [client.post("/login/verify", data={"code": "000000"}).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]


def test_the_second_step_without_a_password_first_goes_back_to_log_in(client):
    response = client.get("/login/verify")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_every_change_is_told_to_the_person_by_e_mail(strict_app, head):
    def told():
        return [
            m.body_text
            for m in db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.template == "two_factor_changed")
                .order_by(OutboxMessage.id)
            )
        ]

    official = make_staff(role="official", email="official@example.kz", locale="en")
    client = strict_app.test_client()
    password_step(client, official.email)
    secret, _codes = set_up(client, official.email)
    renewed = client.post("/account/security/recovery-codes", data={"renew-code": code(secret, 1)})
    new = re.findall(r"<li>([A-Z2-9-]{14})</li>", renewed.get_data(as_text=True))
    client.post("/logout")
    password_step(client, official.email)
    assert client.post("/login/verify", data={"code": new[0]}).status_code == 302
    assert client.post("/account/security/disable", data={"off-code": new[1]}).status_code == 302
    bodies = told()
    assert len(bodies) == 3  # on, new codes, off
    assert "turned on" in bodies[0] and "New recovery codes" in bodies[1]
    assert "turned off" in bodies[2] and "/password/forgot" in bodies[2]
