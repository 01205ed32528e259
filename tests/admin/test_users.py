"""Users and roles: invitations with a one-time link, role changes, deactivation."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from reception.accounts.invitations import (
    InvitationSettings,
    make_invitation_token,
    read_invitation_token,
)
from reception.accounts.models import User
from reception.admin.models import AuditEntry
from reception.admin.services import people as services
from reception.core.refusals import Refused
from reception.core.types import utcnow
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.notifications.outbox import DeliveryPolicy, deliver_due
from reception.notifications.transports import MemoryTransport
from tests.admin.conftest import login
from tests.factories import PASSWORD, make_staff, make_user

NEW_PASSWORD = "a long new passphrase"


def person_data(**overrides):
    data = {
        "email": "Aigerim@Example.kz",
        "full_name": "Айгерім Сапарова",
        "role": "official",
        "authority": "astana-akimat",
        "position": "Chief specialist",
        "locale": "ru",
    }
    data.update(overrides)
    return data


def user_by_email(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def invitation_link(message):
    match = re.search(r"https://reception\.test(/account/set-password/[\w.\-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def invite(client, **overrides):
    response = client.post("/admin/users/new", data=person_data(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return user_by_email(person_data(**overrides)["email"].lower())


def settings(app):
    return InvitationSettings.from_config(app.config)


def test_administrator_invites_a_person_without_a_password(admin_client, admin):
    user = invite(admin_client)
    assert user.password_hash is None and user.role == "official"
    assert user.authority.code == "astana-akimat" and user.locale == "ru"
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "aigerim@example.kz" and message.template == "invitation"
    assert "72" in message.body_text
    assert invitation_link(message) in message.body_html
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_id == user.id).order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "invite"]
    html = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Invited" in html


def test_the_invitation_is_written_in_the_persons_language(admin_client):
    invite(admin_client, locale="kk", email="kk@example.kz")
    invite(admin_client, locale="en", email="en@example.kz")
    english = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "en@example.kz")
    )
    kazakh = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "kk@example.kz")
    )
    assert "An account has been created for you" in english.body_text
    assert "Official" in english.body_text and "Astana City Akimat" in english.body_text
    assert "Астана қаласының әкімдігі" in kazakh.body_text


def test_the_invited_person_sets_a_password_and_is_logged_in(admin_client, client, app):
    user = invite(admin_client)
    link = invitation_link(db.session.scalar(select(OutboxMessage)))
    admin_client.post("/logout")
    client.get("/lang/en")  # the page would otherwise speak the invited person's language
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "aigerim@example.kz" in page.get_data(as_text=True)

    weak = client.post(link, data={"password": "short", "password_confirm": "short"})
    assert weak.status_code == 422 and "at least 10 characters" in weak.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": "other"})
    assert mismatch.status_code == 422
    assert "The passwords do not match." in mismatch.get_data(as_text=True)

    done = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    assert user_by_email(user.email).password_hash.startswith("$argon2")


def test_the_link_works_only_once(admin_client, client):
    invite(admin_client)
    link = invitation_link(db.session.scalar(select(OutboxMessage)))
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    client.post("/logout")
    again = client.get(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)
    assert (
        client.post(
            link, data={"password": "another passphrase", "password_confirm": "another passphrase"}
        ).status_code
        == 404
    )


def test_the_link_expires_after_72_hours(admin_client, app):
    user = invite(admin_client)
    now = utcnow()
    token = make_invitation_token(user, settings=settings(app), now=now)
    later = now + timedelta(hours=71, minutes=59)
    assert read_invitation_token(db.session, token, settings=settings(app), now=later) == user
    too_late = now + timedelta(hours=72, seconds=1)
    assert read_invitation_token(db.session, token, settings=settings(app), now=too_late) is None


@pytest.mark.parametrize(
    "token", ["", "garbage", "x" * 600, "eyJ1IjoxfQ.forged.signature", "../../etc/passwd"]
)
def test_a_forged_link_is_refused(client, token, app):
    assert read_invitation_token(db.session, token, settings=settings(app), now=utcnow()) is None
    assert client.get(f"/account/set-password/{token}").status_code == 404


def test_a_link_signed_with_another_key_is_refused(admin_client, app):
    user = invite(admin_client)
    other = InvitationSettings(secret_key="another key", base_url="https://x")
    token = make_invitation_token(user, settings=other, now=utcnow())
    assert read_invitation_token(db.session, token, settings=settings(app), now=utcnow()) is None


def test_a_deactivated_persons_link_stops_working(admin_client):
    user = invite(admin_client)
    link = invitation_link(db.session.scalar(select(OutboxMessage)))
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert admin_client.get(link).status_code == 404


def test_delivered_invitations_do_not_keep_a_working_link(admin_client):
    invite(admin_client)
    policy = DeliveryPolicy(max_attempts=3, backoff_seconds=60, batch_size=10)
    deliver_due(db.session, MemoryTransport(), now=utcnow() + timedelta(seconds=1), policy=policy)
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "sent"
    assert "/account/set-password/*****" in message.body_text
    assert "/account/set-password/*****" in message.body_html


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"email": ""}, "email", "Enter an e-mail address"),
        ({"email": "not an email"}, "email", "Enter an e-mail address"),
        ({"email": "admin@example.kz"}, "email", "already exists"),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"full_name": "n" * 301}, "full_name", "300 characters"),
        ({"role": "emperor"}, "role", "Choose a role from the list."),
        ({"authority": ""}, "authority", "Officials and heads must belong to a state body."),
        ({"authority": "ghost"}, "authority", "Choose a state body from the list."),
        ({"position": "p" * 201}, "position", "200 characters"),
        ({"locale": "de"}, "locale", "Choose the language of e-mails."),
    ],
)
def test_bad_invitations_are_refused_next_to_the_field(admin_client, overrides, field, message):
    response = admin_client.post("/admin/users/new", data=person_data(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'id="{field}-error"' in html
    assert user_by_email("aigerim@example.kz") is None
    assert db.session.scalar(select(OutboxMessage)) is None
    assert db.session.scalar(select(AuditEntry)) is None


def test_a_head_needs_a_body_but_an_administrators_body_is_not_kept(admin_client):
    head = admin_client.post("/admin/users/new", data=person_data(role="head", authority=""))
    assert head.status_code == 422
    user = invite(admin_client, role="admin", email="second-admin@example.kz")
    assert user.role == "admin" and user.authority is None


def test_administrator_changes_role_body_and_title(admin_client):
    user = invite(admin_client)
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data=person_data(
            email="forged@example.kz", role="head", authority="almaty-akimat", position="Head"
        ),
    )
    assert response.status_code == 302
    user = user_by_email("aigerim@example.kz")
    assert (user.role, user.authority.code, user.position) == ("head", "almaty-akimat", "Head")
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "update"
    assert entry.changes == {
        "role": ["official", "head"],
        "authority": ["astana-akimat", "almaty-akimat"],
        "position": ["Chief specialist", "Head"],
    }


def test_deactivated_person_cannot_log_in_and_can_be_reactivated(admin_client, client):
    official = make_staff()
    response = admin_client.post(f"/admin/users/{official.id}/deactivate", follow_redirects=True)
    assert "The account is deactivated" in response.get_data(as_text=True)
    assert user_by_email(official.email).is_active is False
    assert user_by_email(official.email) is not None  # never deleted
    refused = admin_client.post(f"/admin/users/{official.id}/deactivate", follow_redirects=True)
    assert "already deactivated" in refused.get_data(as_text=True)
    admin_client.post(f"/admin/users/{official.id}/reactivate")
    assert user_by_email(official.email).is_active is True
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_id == official.id)
    ).all()
    assert actions == ["deactivate", "reactivate"]


def test_a_deactivated_person_is_logged_out_of_the_running_session(admin_client, app):
    official = make_staff()
    other = app.test_client()
    login(other, official)
    assert other.get("/review/").status_code == 200
    admin_client.post(f"/admin/users/{official.id}/deactivate")
    assert other.get("/review/").status_code == 302


def test_administrator_cannot_lock_themselves_out(admin_client, admin):
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    response = admin_client.post(
        f"/admin/users/{admin.id}", data=person_data(full_name="Me", role="official")
    )
    assert response.status_code == 422
    assert "your own administrator rights" in response.get_data(as_text=True)
    assert user_by_email(admin.email).role == "admin"


def test_the_last_active_administrator_stays(admin):
    other = make_user(role="admin", email="other-admin@example.kz")
    services.deactivate_user(db.session, other, actor=admin, now=utcnow())
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.deactivate_user(db.session, admin, actor=None, now=utcnow())
    assert "last active administrator" in str(refused.value.errors["_"])


def test_the_invitation_is_sent_again_and_a_new_link_works(admin_client):
    user = invite(admin_client)
    admin_client.post(f"/admin/users/{user.id}/invite")
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == 2
    link = invitation_link(messages[1])
    response = admin_client.post(
        link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_someone_with_a_password_gets_a_link_to_set_a_new_one(admin_client):
    official = make_staff(locale="en")  # the e-mail comes in the person's language
    admin_client.post(f"/admin/users/{official.id}/invite")
    message = db.session.scalar(select(OutboxMessage))
    assert "set a new password" in message.body_text
    assert user_by_email(official.email).password_hash is not None


def test_list_filters_by_role_status_and_text(admin_client):
    invite(admin_client)
    make_staff(role="head")
    make_user(email="citizen@example.kz", full_name="Асқар Мұқанов")

    def listed(query):
        html = admin_client.get("/admin/users?" + query).get_data(as_text=True)
        return set(re.findall(r"[\w.\-]+@example\.kz", html.split("<tbody>", 1)[-1]))

    assert listed("role=head") == {"head.astana-akimat@example.kz"}
    assert listed("status=invited") == {"aigerim@example.kz"}
    assert listed("q=мұқан") == {"citizen@example.kz"}
    assert "admin@example.kz" in listed("role=admin")
    assert listed("role=emperor&status=lost&page=abc") >= {"citizen@example.kz"}


def test_list_filters_by_state_body_and_missing_second_factor(admin_client):
    make_staff(role="head")
    make_staff(authority_code="almaty-akimat", email="official.almaty@example.kz")
    protected = make_staff(email="protected@example.kz")
    protected.totp_secret = "JBSWY3DPEHPK3PXP"
    protected.totp_enabled_at = protected.created_at
    db.session.commit()

    def listed(query):
        html = admin_client.get("/admin/users?" + query).get_data(as_text=True)
        return set(re.findall(r"[\w.\-]+@example\.kz", html.split("<tbody>", 1)[-1]))

    assert listed("authority=astana-akimat") == {
        "head.astana-akimat@example.kz",
        "protected@example.kz",
    }
    assert listed("authority=almaty-akimat") == {"official.almaty@example.kz"}
    assert "protected@example.kz" not in listed("status=no_two_factor")
    assert "head.astana-akimat@example.kz" in listed("status=no_two_factor&role=head")
    assert listed("authority=no-such-body") == set()


def test_list_paginates(admin_client, app):
    for n in range(55):
        make_user(email=f"person{n:02d}@example.kz", full_name=f"Person {n:02d}")
    first = admin_client.get("/admin/users?role=citizen").get_data(as_text=True)
    second = admin_client.get("/admin/users?role=citizen&page=2").get_data(as_text=True)
    assert "person00@example.kz" in first and "person54@example.kz" not in first
    assert "person54@example.kz" in second and 'aria-current="page">2<' in second


def test_unknown_person_is_not_found(admin_client):
    for url in ("/admin/users/777777", "/admin/users/99999999999999999999"):
        assert admin_client.get(url).status_code == 404
    assert admin_client.post("/admin/users/777777/deactivate").status_code == 404


def test_login_password_still_works_after_a_role_change(admin_client, client):
    official = make_staff()
    admin_client.post(
        f"/admin/users/{official.id}",
        data=person_data(full_name=official.full_name, role="operator"),
    )
    response = client.post("/login", data={"email": official.email, "password": PASSWORD})
    assert response.status_code == 302


def test_saving_a_citizen_without_changes_records_nothing(admin_client):
    citizen = make_user(email="citizen@example.kz", full_name="Асқар")
    page = admin_client.get(f"/admin/users/{citizen.id}").get_data(as_text=True)
    assert "Not chosen (Kazakh)" in page
    admin_client.post(
        f"/admin/users/{citizen.id}",
        data={
            "full_name": "Асқар",
            "role": "citizen",
            "authority": "",
            "position": "",
            "locale": "",
        },
    )
    assert user_by_email("citizen@example.kz").locale is None
    assert db.session.scalar(select(AuditEntry)) is None
