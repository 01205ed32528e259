"""The security event log: what leaves an entry, what an entry never holds, who sees it,
how long it is kept, and that the application never changes an entry."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from reception.accounts import services, totp
from reception.accounts.apikeys import create_api_key
from reception.accounts.secret_box import SecretBox
from reception.core.types import utcnow
from reception.extensions import db
from reception.ops.models import SecurityEvent
from reception.ops.security_log import email_hash, record_security_event
from tests.factories import PASSWORD, make_appeal, make_staff, make_user

PROJECT = Path(__file__).resolve().parents[2]
MORNING = datetime(2026, 11, 17, 4, tzinfo=UTC)


def events(kind: str | None = None) -> list[SecurityEvent]:
    db.session.expire_all()
    query = select(SecurityEvent).order_by(SecurityEvent.id)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    return list(db.session.scalars(query))


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_a_failed_log_in_keeps_the_address_and_a_hash_never_the_e_mail(client, app):
    make_user(email="victim@example.kz")
    assert login(client, "Victim@Example.kz", "wrong-password-1").status_code == 401
    assert login(client, "nobody@example.kz", "wrong-password-2").status_code == 401
    failed = events("login_failed")
    assert len(failed) == 2
    assert failed[0].address == "127.0.0.1" and failed[0].user_id is None
    assert failed[0].detail == {"email_hash": email_hash("victim@example.kz")}
    stored = str([(e.detail, e.address) for e in events()])
    assert "victim" not in stored and "nobody" not in stored and "wrong-password" not in stored


def test_log_in_and_log_out_are_recorded_for_the_person(client):
    user = make_user(email="citizen@example.kz")
    assert login(client, user.email).status_code == 302
    client.post("/logout")
    kinds = [(e.kind, e.user_id) for e in events()]
    assert ("login_succeeded", user.id) in kinds
    assert ("session_ended", user.id) in kinds


def test_a_wrong_second_step_code_and_the_lockout_are_recorded(make_app):
    strict = make_app(RATELIMIT_ENABLED=True, RATELIMIT_TWO_FACTOR="3 per minute")
    user = make_user(email="careful@example.kz")
    user.totp_secret = SecretBox.from_config(strict.config).encrypt(totp.new_secret())
    user.totp_enabled_at = utcnow()
    db.session.commit()
    assert [e.kind for e in events()] == ["two_factor_enabled"]
    client = strict.test_client()
    assert login(client, user.email).status_code == 302
    answers = [client.post("/login/verify", data={"code": "000000"}).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    assert [e.user_id for e in events("two_factor_failed")] == [user.id] * 3
    assert [e.user_id for e in events("two_factor_locked")] == [user.id]


def test_password_and_second_factor_changes_are_recorded(app):
    user = make_user(email="changer@example.kz")
    services.set_password(db.session, user, "a-new-password-1", "a-new-password-1", now=utcnow())
    db.session.commit()
    user.totp_secret, user.totp_enabled_at = totp.new_secret(), utcnow()
    db.session.commit()
    user.totp_secret = user.totp_enabled_at = None
    db.session.commit()
    kinds = [e.kind for e in events() if e.user_id == user.id]
    assert kinds == [
        "login_succeeded",  # the link of a password reset logs its owner in
        "password_changed",
        "two_factor_enabled",
        "two_factor_disabled",
    ]


def test_an_officials_attempt_to_open_another_bodys_appeal_leaves_an_entry(client):
    appeal, _ = make_appeal(MORNING)  # routed to the Astana akimat
    stranger = make_staff("almaty-akimat", email="official@almaty.kz")
    assert login(client, stranger.email).status_code == 302
    assert client.get(f"/review/appeals/{appeal.number}").status_code == 404
    (refused,) = events("access_refused")
    assert refused.user_id == stranger.id
    assert refused.detail["status"] == 404
    assert refused.detail["arg_number"] == appeal.number
    assert refused.detail["route"] == "/review/appeals/<number>"
    assert refused.address == "127.0.0.1"


def test_a_citizen_refused_a_staff_page_leaves_an_entry_but_a_public_404_does_not(client):
    citizen = make_user(email="curious@example.kz")
    assert login(client, citizen.email).status_code == 302
    assert client.get("/admin/").status_code == 403
    assert client.get("/no/such/page").status_code == 404
    assert [(e.kind, e.user_id, e.detail["status"]) for e in events("access_refused")] == [
        ("access_refused", citizen.id, 403)
    ]


def test_api_keys_made_used_once_a_day_and_revoked(client, app):
    official = make_staff(role="official")
    admin = make_user(role="admin", email="admin@example.kz")
    assert login(client, admin.email).status_code == 302
    made = client.post("/admin/api-keys", data={"name": "DMS", "user": official.email})
    assert made.status_code == 201
    secret = re.search(r"rk_[A-Za-z0-9_\-]+", made.get_data(as_text=True)).group(0)
    (created,) = events("api_key_created")
    assert created.user_id == official.id and created.detail["by"] == admin.id
    assert secret not in str(created.detail)

    api = app.test_client()
    for _ in range(3):
        assert (
            api.get("/api/v1/appeals", headers={"Authorization": f"Bearer {secret}"}).status_code
            == 200
        )
    (used,) = events("api_key_used")
    assert used.user_id == official.id and used.detail["route"] == "/api/v1/appeals"

    key_id = used.detail["key_id"]
    assert client.post(f"/admin/api-keys/{key_id}/revoke").status_code == 302
    (revoked,) = events("api_key_revoked")
    assert revoked.detail == {"key_id": key_id, "by": admin.id}
    # A key made on the command line is recorded too.
    create_api_key(db.session, name="Cron", now=utcnow())
    db.session.commit()
    assert len(events("api_key_created")) == 2


def test_a_refused_api_call_names_the_key(app):
    _key, secret = create_api_key(db.session, name="Citizen app", now=utcnow())
    db.session.commit()
    api = app.test_client()
    answer = api.get(
        "/api/v1/appeals/RC-2026-99999999", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code in (403, 404)
    (refused,) = events("access_refused")
    assert refused.detail["key_id"] == _key.id


def test_the_csv_export_of_personal_data_is_recorded(client):
    head = make_staff(role="head")
    make_appeal(MORNING)
    assert login(client, head.email).status_code == 302
    answer = client.get(
        "/monitoring/export.csv", query_string={"date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    assert answer.status_code == 200 and answer.get_data()
    (export,) = events("personal_data_export")
    assert export.user_id == head.id and export.detail == {
        "route": "/monitoring/export.csv",
        "date_from": "2026-11-01",
        "date_to": "2026-11-30",
    }


def test_an_administrators_change_is_recorded_beside_the_audit_log(client):
    admin = make_user(role="admin", email="admin@example.kz")
    official = make_staff(role="official")
    assert login(client, admin.email).status_code == 302
    assert client.post(f"/admin/users/{official.id}/deactivate").status_code == 302
    (change,) = events("admin_change")
    assert change.user_id == admin.id
    assert change.detail == {"entity": "user", "entity_id": official.id, "action": "deactivate"}


def test_the_daily_job_deletes_events_older_than_the_retention_period(app):
    now = utcnow()
    record_security_event(db.session, "login_failed", now=now - timedelta(days=400))
    record_security_event(db.session, "login_failed", now=now - timedelta(days=10))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["deadlines", "remind"])
    assert result.exit_code == 0, result.output
    left = events("login_failed")
    assert len(left) == 1 and left[0].at > now - timedelta(days=11)


def test_the_application_code_never_changes_or_deletes_an_event_but_to_purge():
    writers = []
    for path in (PROJECT / "reception").rglob("*.py"):
        source = path.read_text()
        for match in re.finditer(r"(update|delete)\(\s*SecurityEvent", source):
            writers.append((path.relative_to(PROJECT).as_posix(), match.group(1)))
    assert writers == [("reception/ops/security_log.py", "delete")]


def test_postgresql_refuses_to_change_a_stored_event(postgres_only):
    entry = record_security_event(db.session, "login_failed", detail={"email_hash": "x"})
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            update(SecurityEvent).where(SecurityEvent.id == entry.id).values(kind="login_succeeded")
        )
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(text("SELECT kind FROM security_events")).scalar() == "login_failed"


# --- The administration page ---------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    admin = make_user(role="admin", email="admin@example.kz")
    assert login(client, admin.email).status_code == 302
    return client


def test_administrators_see_the_events_with_filters(admin_client):
    victim = make_user(email="victim@example.kz")
    other = make_user(email="other@example.kz")
    for _ in range(3):
        record_security_event(
            db.session, "login_failed", detail={"email_hash": email_hash(victim.email)}
        )
    record_security_event(db.session, "access_refused", user_id=other.id, detail={"status": 404})
    record_security_event(
        db.session, "access_refused", user_id=other.id, now=datetime(2025, 1, 5, tzinfo=UTC)
    )
    db.session.commit()

    page = admin_client.get("/admin/security-events")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Failed log-in" in html and "Access refused" in html

    def count(**args):
        answer = admin_client.get("/admin/security-events", query_string=args)
        assert answer.status_code == 200
        return int(re.search(r"(\d+) events?", answer.get_data(as_text=True)).group(1))

    assert count(kind="login_failed") == 3
    assert count(email="VICTIM@example.kz") == 3
    assert count(user=other.email) == 2
    assert count(user=str(other.id), kind="access_refused") == 2
    assert count(user=other.email, **{"from": "2025-01-01", "to": "2025-01-31"}) == 1
    assert count(kind="<script>") >= 5  # an unknown kind is no filter


def test_a_bad_date_is_answered_with_a_message_not_an_error(admin_client):
    for bad in ("2026-02-30", "0001-01-01", "9999-12-31", "²⁰²⁶-01-01", "yesterday"):
        answer = admin_client.get("/admin/security-events", query_string={"from": bad})
        assert answer.status_code == 422, bad
        assert "Enter a date like 2026-11-23." in answer.get_data(as_text=True)


def test_the_events_are_paginated(admin_client):
    for _ in range(60):
        record_security_event(db.session, "login_failed", detail={"email_hash": "h"})
    db.session.commit()
    first = admin_client.get("/admin/security-events?kind=login_failed").get_data(as_text=True)
    second = admin_client.get("/admin/security-events?kind=login_failed&page=2").get_data(
        as_text=True
    )
    assert first.count('data-label="Event"') == 50 and second.count('data-label="Event"') == 10
    assert admin_client.get("/admin/security-events?page=²").status_code == 200
