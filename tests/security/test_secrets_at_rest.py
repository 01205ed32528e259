"""Secrets are not readable where they need not be: the session cookie, the database, caches."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from reception.accounts import totp, two_factor
from reception.accounts.apikeys import create_api_key
from reception.accounts.models import User
from reception.accounts.secret_box import SecretBox, SecretBoxError, new_key
from reception.accounts.two_factor import TwoFactorPolicy
from reception.core.types import utcnow
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, appeal_data, make_appeal, make_staff, make_user


def cookie_contents(app, client) -> str:
    """The session cookie as anyone who sees it can read it (signed is not encrypted)."""
    raw = client.get_cookie("session").value
    data = app.session_interface.get_signing_serializer(app).loads(raw)
    return raw + json.dumps(data, default=str)


def test_the_cookie_never_holds_an_access_code(client, app):
    filed = client.post("/appeals/new", data=appeal_data())
    receipt = client.get(filed.headers["Location"]).get_data(as_text=True)
    code = receipt.split('data-access-code="', 1)[1].split('"', 1)[0]
    assert len(code) == 11
    contents = cookie_contents(app, client)
    assert code not in contents and code.replace("-", "") not in contents
    # Tracking with the code leaves no code in the cookie either.
    appeal, access_code = make_appeal(TUESDAY_MORNING)
    tracker = app.test_client()
    found = tracker.post("/track", data={"number": appeal.number, "code": access_code})
    assert found.status_code == 200
    assert access_code not in cookie_contents(app, tracker)


def test_the_cookie_holds_no_submission_key(client, app):
    page = client.get("/appeals/new").get_data(as_text=True)
    key = page.split('name="submission_key" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert key not in cookie_contents(app, client)


def test_the_receipt_shows_the_code_only_for_a_while(client, app, monkeypatch):
    from reception.appeals import receipts

    filed = client.post("/appeals/new", data=appeal_data())
    assert "data-access-code" in client.get(filed.headers["Location"]).get_data(as_text=True)
    monkeypatch.setattr(receipts, "RECEIPT_CODE_SECONDS", -1)
    assert "data-access-code" not in client.get(filed.headers["Location"]).get_data(as_text=True)


# Pages with personal data, as the person who may see them.
def _private_pages(app):
    citizen = make_user(email="citizen@example.kz")
    official = make_staff()
    admin = make_user(role="admin", email="admin@example.kz")
    appeal, access_code = make_appeal(TUESDAY_MORNING, actor=citizen)
    _key, secret = create_api_key(db.session, name="DMS", user=official, now=datetime.now(UTC))
    db.session.commit()
    clients = {}
    for person in (citizen, official, admin):
        clients[person.role] = app.test_client()
        clients[person.role].post("/login", data={"email": person.email, "password": PASSWORD})
    anonymous = app.test_client()
    filed = anonymous.post("/appeals/new", data=appeal_data())
    return [
        ("receipt", anonymous, "GET", filed.headers["Location"], {}, None),
        (
            "tracking result",
            app.test_client(),
            "POST",
            "/track",
            {"number": appeal.number, "code": access_code},
            None,
        ),
        ("my appeals", clients["citizen"], "GET", "/my/appeals", {}, None),
        ("status", clients["citizen"], "GET", f"/my/appeals/{appeal.number}", {}, None),
        ("queue", clients["official"], "GET", "/review/", {}, None),
        ("staff appeal", clients["official"], "GET", f"/review/appeals/{appeal.number}", {}, None),
        ("admin users", clients["admin"], "GET", "/admin/users", {}, None),
        ("admin user", clients["admin"], "GET", f"/admin/users/{citizen.id}", {}, None),
        (
            "api appeal",
            app.test_client(),
            "GET",
            f"/api/v1/appeals/{appeal.number}",
            {},
            {"Authorization": f"Bearer {secret}"},
        ),
        ("public home, logged in", clients["citizen"], "GET", "/", {}, None),
    ]


def test_pages_with_personal_data_are_never_stored(app):
    problems = []
    for name, client, method, url, data, headers in _private_pages(app):
        response = client.open(url, method=method, data=data, headers=headers)
        if response.status_code != 200:
            problems.append(f"{name}: {response.status_code}")
        elif "no-store" not in response.headers.get("Cache-Control", ""):
            problems.append(f"{name}: {response.headers.get('Cache-Control')}")
    assert problems == []


def test_public_pages_for_a_visitor_may_be_cached(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


# The second factor's secret: encrypted with a key of its own, with rotation.


def _enable_two_factor(user, policy) -> str:
    secret = two_factor.begin_setup(user, policy=policy)
    two_factor.confirm_setup(
        db.session, user, totp.code_at(secret, utcnow()), policy=policy, now=utcnow()
    )
    db.session.commit()
    return secret


def test_totp_secrets_are_encrypted_and_rotated_to_a_new_key(make_app):
    old_key, new = new_key(), new_key()
    first = make_app(TOTP_KEYS=(old_key,))
    user = make_staff(role="head")
    with first.app_context():
        user = db.session.get(User, user.id)
        secret = _enable_two_factor(user, TwoFactorPolicy.from_config(first.config))
        stored = db.session.get(User, user.id).totp_secret
    assert secret not in stored
    assert SecretBox([old_key]).decrypt(stored) == secret
    with pytest.raises(SecretBoxError):
        SecretBox([new]).decrypt(stored)

    rotating = make_app(TOTP_KEYS=(new, old_key))
    with rotating.app_context():  # the command runs in the app context it finds
        result = rotating.test_cli_runner().invoke(args=["totp", "rotate"])
        assert result.exit_code == 0 and "1 of 1" in result.output, result.output
        again = rotating.test_cli_runner().invoke(args=["totp", "rotate"])
        assert "0 of 1" in again.output
    db.session.expire_all()
    rotated = db.session.get(User, user.id).totp_secret
    assert SecretBox([new]).decrypt(rotated) == secret

    # With only the new key, the person still logs in with their app.
    after = make_app(TOTP_KEYS=(new,), TWO_FACTOR_REQUIRED_ROLES=("head",))
    client = after.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    code = totp.code_at(secret, utcnow() + timedelta(seconds=30))
    assert client.post("/login/verify", data={"code": code}).status_code == 302


def test_production_without_totp_keys_warns_and_uses_a_derived_key(monkeypatch, caplog):
    # SECRET_KEY and DATABASE_URL stay the only settings production cannot start without
    # (the contract); a missing key of their own is said loudly at every start.
    from config import ProductionConfig
    from reception import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("RECEPTION_TOTP_KEYS", raising=False)
    with caplog.at_level("WARNING", logger="reception"):
        app = create_app(type("P", (ProductionConfig,), {"TOTP_KEYS": (), "SECRET_KEY": "x" * 40}))
    assert "RECEPTION_TOTP_KEYS" in caplog.text
    box = SecretBox.from_config(app.config)
    assert box.decrypt(box.encrypt("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"


def test_a_malformed_totp_key_stops_the_start(make_app):
    with pytest.raises(SecretBoxError):
        make_app(TOTP_KEYS=("not-a-key",))


def test_the_migration_encrypts_existing_secrets(make_app, tmp_path):
    """A database from before: its clear secrets come out encrypted, the same secret."""
    other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    with other.app_context():
        upgrade(revision="41b731a44c1e")
        db.session.execute(
            text(
                "INSERT INTO users (email, password_hash, full_name, role, position, "
                "is_active, created_at, totp_secret, totp_enabled_at) VALUES ('a@b.kz', 'x', "
                "'', 'citizen', '', 1, '2026-01-01 00:00:00', 'JBSWY3DPEHPK3PXP', "
                "'2026-01-01 00:00:00')"
            )
        )
        db.session.commit()
        upgrade()
        stored = db.session.scalar(select(User.totp_secret))
        assert stored != "JBSWY3DPEHPK3PXP"
        assert SecretBox.from_config(other.config).decrypt(stored) == "JBSWY3DPEHPK3PXP"
        db.session.remove()
