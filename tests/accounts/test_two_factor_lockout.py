"""Wrong second-factor codes are counted per person in the database: guesses sent to
different workers or hosts add up, the second step locks, and the person is told."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from reception.accounts import totp, two_factor
from reception.accounts.models import User
from reception.accounts.two_factor import TwoFactorPolicy
from reception.core.types import utcnow
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.factories import PASSWORD, make_staff

WRONG = "000000"


@pytest.fixture
def two_hosts(make_app):
    """Two app instances on one database, as two workers or hosts behind a balancer."""
    settings = {"TWO_FACTOR_REQUIRED_ROLES": ("head",), "TWO_FACTOR_MAX_FAILURES": 5}
    return make_app(**settings), make_app(**settings)


@pytest.fixture
def head(app):
    user = make_staff(role="head", email="head@example.kz")
    policy = TwoFactorPolicy.from_config(app.config)
    secret = two_factor.begin_setup(user, policy=policy)
    two_factor.confirm_setup(
        db.session, user, totp.code_at(secret, utcnow()), policy=policy, now=utcnow()
    )
    db.session.commit()
    return user, secret


def at_second_step(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def next_code(secret):
    return totp.code_at(secret, utcnow() + timedelta(seconds=30))


def alerts():
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "second_factor_locked")
    ).all()


def test_guesses_on_two_hosts_add_up_and_lock_the_second_step(two_hosts, head, caplog):
    first, second = two_hosts
    user, secret = head
    a = at_second_step(first, user.email)
    b = at_second_step(second, user.email)
    for client in (a, b, a, b):
        assert client.post("/login/verify", data={"code": WRONG}).status_code == 401
    db.session.expire_all()
    assert db.session.get(User, user.id).two_factor_failures == 4
    with caplog.at_level(logging.WARNING, logger="reception.security"):
        locked = a.post("/login/verify", data={"code": WRONG})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.get_data(as_text=True)
    assert any("second factor locked" in r.getMessage() for r in caplog.records)
    (alert,) = alerts()
    assert alert.recipient == user.email and "5" in alert.body_text
    # Locked for everyone, on every host, even with the right code.
    for client in (a, b, at_second_step(second, user.email)):
        refused = client.post("/login/verify", data={"code": next_code(secret)})
        assert refused.status_code == 429
        assert client.get("/review/").status_code != 200
    assert len(alerts()) == 1  # one alert per lock


def test_the_lock_ends_and_a_right_code_starts_the_count_again(two_hosts, head):
    first, second = two_hosts
    user, secret = head
    client = at_second_step(first, user.email)
    for _ in range(5):
        client.post("/login/verify", data={"code": WRONG})
    db.session.expire_all()
    row = db.session.get(User, user.id)
    assert row.two_factor_locked_until is not None
    row.two_factor_locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    fresh = at_second_step(second, user.email)
    assert fresh.post("/login/verify", data={"code": next_code(secret)}).status_code == 302
    db.session.expire_all()
    row = db.session.get(User, user.id)
    assert row.two_factor_failures == 0 and row.two_factor_locked_until is None


def test_failures_older_than_the_window_are_forgotten(two_hosts, head):
    first, _second = two_hosts
    user, _secret = head
    client = at_second_step(first, user.email)
    for _ in range(4):
        client.post("/login/verify", data={"code": WRONG})
    db.session.expire_all()
    row = db.session.get(User, user.id)
    row.two_factor_failed_since = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert client.post("/login/verify", data={"code": WRONG}).status_code == 401
    db.session.expire_all()
    assert db.session.get(User, user.id).two_factor_failures == 1


def test_wrong_codes_on_the_security_page_count_too(two_hosts, head):
    first, _second = two_hosts
    user, secret = head
    client = at_second_step(first, user.email)
    assert client.post("/login/verify", data={"code": next_code(secret)}).status_code == 302
    for _ in range(4):
        refused = client.post("/account/security/recovery-codes", data={"renew-code": WRONG})
        assert refused.status_code == 422
    last = client.post("/account/security/recovery-codes", data={"renew-code": WRONG})
    assert "Too many wrong codes" in last.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).two_factor_locked_until is not None
    assert len(alerts()) == 1


def test_an_administrators_reset_lifts_the_lock(app, head):
    user, _secret = head
    row = db.session.get(User, user.id)
    row.two_factor_locked_until = utcnow() + timedelta(minutes=10)
    two_factor.reset(db.session, row)
    assert row.two_factor_locked_until is None and row.two_factor_failures == 0
