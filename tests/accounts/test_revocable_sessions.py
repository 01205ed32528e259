"""Sessions are records on the server: log-out, a password reset, an administrator and the
lifetime end them for every copy of the cookie (a stolen cookie stops working)."""

import re
from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from reception.accounts.invitations import InvitationSettings, make_invitation_token
from reception.accounts.models import User, UserSession
from reception.accounts.user_sessions import token_hash
from reception.admin.models import AuditEntry
from reception.core.types import utcnow
from reception.extensions import db
from tests.factories import PASSWORD, make_user


def log_in(client, email: str):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def copy_of(app, client):
    """Another browser holding a copy of this client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logged_in(client) -> bool:
    return client.get("/my/appeals").status_code == 200


def sessions_of(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))


def test_a_log_in_is_a_record_and_the_cookie_holds_only_a_random_id(client, app):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    (record,) = sessions_of(user)
    cookie = app.session_interface.get_signing_serializer(app).loads(
        client.get_cookie("session").value
    )
    assert record.token_hash == token_hash(cookie["_sid"]) != cookie["_sid"]
    assert record.ended_at is None and record.user_agent is not None
    assert logged_in(client)


def test_a_copied_cookie_stops_working_after_log_out(client, app):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    thief = copy_of(app, client)
    assert logged_in(thief)
    assert client.post("/logout").status_code == 302
    assert not logged_in(client)
    assert not logged_in(thief)
    assert thief.get("/my/appeals").headers["Location"].startswith("/login")
    (record,) = sessions_of(user)
    assert record.ended_at is not None and record.end_reason == "logout"


def test_the_copy_also_loses_the_appeals_its_cookie_could_see(client, app):
    from tests.factories import appeal_data

    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    filed = client.post("/appeals/new", data=appeal_data(email="someone@example.kz"))
    receipt = filed.headers["Location"]
    thief = copy_of(app, client)
    client.post("/logout")
    assert thief.get(receipt).status_code == 404


def test_a_get_of_logout_does_not_log_out(client):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    page = client.get("/logout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<form[^>]*method="post"[^>]*action="/logout"', html)
    assert logged_in(client)
    assert sessions_of(user)[0].ended_at is None


def test_a_cross_site_post_without_the_csrf_token_does_not_log_out(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = make_user(email="citizen@example.kz")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    form = {"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form).status_code == 302
    assert client.post("/logout").status_code == 400
    assert logged_in(client)
    # With the token of the page, it logs out.
    home = client.get("/my/appeals").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not logged_in(client)


def test_a_password_reset_ends_every_session(client, app):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    thief = copy_of(app, client)
    token = make_invitation_token(
        user, settings=InvitationSettings.from_config(app.config), now=utcnow(), purpose="reset"
    )
    owner = app.test_client()
    new_password = "a brand new password"
    done = owner.post(
        f"/account/set-password/{token}",
        data={"password": new_password, "password_confirm": new_password},
    )
    assert done.status_code == 302
    assert not logged_in(client) and not logged_in(thief)
    assert logged_in(owner)  # the reset's own session is a new one
    reasons = sorted(s.end_reason or "" for s in sessions_of(user))
    assert reasons == ["", "password"]


def test_an_administrator_ends_a_persons_sessions(client, app):
    user = make_user(email="citizen@example.kz")
    admin = make_user(role="admin", email="admin@example.kz")
    log_in(client, user.email)
    thief = copy_of(app, client)
    admin_client = app.test_client()
    log_in(admin_client, admin.email)
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert f"/admin/users/{user.id}/end-sessions" in page and "Logged in on 1 device" in page
    ended = admin_client.post(f"/admin/users/{user.id}/end-sessions", follow_redirects=True)
    assert "logged out on every device" in ended.get_data(as_text=True)
    assert not logged_in(client) and not logged_in(thief)
    assert admin_client.get("/admin/users").status_code == 200  # the admin stays in
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "end_sessions"))
    assert entry.actor_id == admin.id and entry.entity_id == user.id


def test_an_administrator_ending_their_own_sessions_keeps_this_one(client, app):
    admin = make_user(role="admin", email="admin@example.kz")
    log_in(client, admin.email)
    elsewhere = app.test_client()
    log_in(elsewhere, admin.email)
    client.post(f"/admin/users/{admin.id}/end-sessions")
    assert client.get("/admin/users").status_code == 200
    assert elsewhere.get("/admin/users").status_code == 302


def test_deactivation_ends_sessions_and_reactivation_does_not_bring_them_back(client, app):
    user = make_user(email="citizen@example.kz")
    admin = make_user(role="admin", email="admin@example.kz")
    log_in(client, user.email)
    admin_client = app.test_client()
    log_in(admin_client, admin.email)
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    admin_client.post(f"/admin/users/{user.id}/reactivate")
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active
    assert not logged_in(client)


def test_the_absolute_lifetime_ends_a_session_that_is_used_all_the_time(client, app):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    (record,) = sessions_of(user)
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    # Used a moment ago, but started just under the lifetime ago: still works...
    record.created_at = utcnow() - timedelta(hours=hours) + timedelta(minutes=1)
    db.session.commit()
    assert logged_in(client)
    # ...and requests do not move its start: past the lifetime it ends.
    record = sessions_of(user)[0]
    assert record.created_at < utcnow() - timedelta(hours=hours) + timedelta(minutes=2)
    record.created_at = utcnow() - timedelta(hours=hours, minutes=1)
    db.session.commit()
    assert not logged_in(client)


def test_an_idle_session_ends(client, app):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    (record,) = sessions_of(user)
    record.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert not logged_in(client)


# The use is recorded in a transaction of its own, on a connection of its own: real commits.
@pytest.mark.commits
def test_use_moves_the_idle_clock_at_most_once_a_minute(client):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    (record,) = sessions_of(user)
    earlier = utcnow() - timedelta(minutes=30)
    record.last_seen_at = earlier
    db.session.commit()
    assert logged_in(client)
    (record,) = sessions_of(user)
    assert record.last_seen_at > earlier + timedelta(minutes=29)


def test_a_cookie_without_a_record_logs_no_one_in(client, app):
    """A cookie from before records existed, or Flask-Login's remember cookie alone."""
    user = make_user(email="citizen@example.kz")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not logged_in(client)
    other = app.test_client()
    with app.test_request_context():
        remember = encode_cookie(str(user.id))
    other.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), remember)
    assert not logged_in(other)


def test_a_forged_session_id_logs_no_one_in(client):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    with client.session_transaction() as session:
        session["_sid"] = "x" * 43
    assert not logged_in(client)


def test_a_person_logs_out_their_other_devices(client, app):
    user = make_user(email="citizen@example.kz")
    log_in(client, user.email)
    other = app.test_client()
    log_in(other, user.email)
    page = client.get("/account/security").get_data(as_text=True)
    assert "Logged in on 2 devices" in page
    done = client.post("/account/security/sessions/end-others", follow_redirects=True)
    assert "1 other device is logged out" in done.get_data(as_text=True)
    assert logged_in(client) and not logged_in(other)
