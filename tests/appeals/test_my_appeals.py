""" "My appeals" says when the citizen must act; e-mail links open the appeal (issue 15)."""

from datetime import timedelta

from reception.extensions import db
from reception.review import services
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff, make_user, workflow_settings


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_an_appeal_waiting_for_the_citizen_is_announced_and_listed_first(client):
    citizen = make_user(email="owner@example.kz")
    waiting, _ = make_appeal(TUESDAY_MORNING, actor=citizen, subject="Waiting for me")
    make_appeal(TUESDAY_MORNING + timedelta(hours=1), actor=citizen, subject="Newer one")
    official = make_staff(role="official")
    later = TUESDAY_MORNING + timedelta(hours=2)
    services.take_appeal(
        db.session, waiting, actor=official, now=later, settings=workflow_settings()
    )
    services.request_info(
        db.session,
        waiting,
        actor=official,
        now=later,
        settings=workflow_settings(),
        text="Which flat?",
    )
    db.session.commit()
    login(client, citizen)
    html = client.get("/my/appeals").get_data(as_text=True)
    banner = html.split('class="action-banner"')[1].split("</div>")[0]
    assert "1 appeal needs your reply" in banner and waiting.number in banner
    rows = html.split("<tbody>")[1]
    assert rows.index("Waiting for me") < rows.index("Newer one")


def test_a_link_from_an_email_takes_the_owner_straight_to_the_appeal(client):
    citizen = make_user(email="owner@example.kz")
    appeal, _ = make_appeal(TUESDAY_MORNING, actor=citizen)
    stranger, _ = make_appeal(TUESDAY_MORNING)
    login(client, citizen)
    response = client.get(f"/track?number={appeal.number}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/my/appeals/{appeal.number}")
    # Someone else's number still asks for the code (nothing revealed).
    other = client.get(f"/track?number={stranger.number}")
    assert other.status_code == 200 and 'name="code"' in other.get_data(as_text=True)
