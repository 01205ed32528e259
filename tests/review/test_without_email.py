"""An operator files for a person without e-mail; every notice still reaches them by post
or phone (issue 15)."""

import pytest
from sqlalchemy import select, text

from reception.appeals.models import Appeal, AppealEvent
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.factories import PASSWORD, appeal_data, make_staff, make_user


def login(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def operator(client):
    user = make_user(role="operator", email="operator@example.kz", authority_code="astana-akimat")
    login(client, user)
    return user


def _file_by_phone(client):
    response = client.post(
        "/appeals/new", data={**appeal_data(email=""), "channel": "phone", "language": "ru"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Appeal))


def test_a_citizen_online_still_needs_an_email(client):
    response = client.post("/appeals/new", data=appeal_data(email=""))
    assert response.status_code == 422 and "Enter an e-mail address" in response.get_data(
        as_text=True
    )


def test_operator_files_without_email_and_gets_a_receipt_to_hand_over(client, operator):
    form = client.get("/appeals/new").get_data(as_text=True)
    assert "About the applicant" in form and "About you" not in form
    appeal = _file_by_phone(client)
    assert appeal.email == "" and appeal.channel == "phone"
    # No e-mail to nobody.
    assert db.session.scalars(select(OutboxMessage)).all() == []
    receipt = client.get(f"/appeals/{appeal.number}/receipt").get_data(as_text=True)
    assert "Give the applicant this receipt" in receipt
    assert "go by post to the address above or are read out by phone" in receipt
    assert "Issued by" in receipt and "Printed" in receipt


def test_the_answer_goes_by_post_or_phone_and_the_notice_is_recorded(client, operator):
    appeal = _file_by_phone(client)
    official = make_staff(role="official")
    login(client, official)
    number = appeal.number
    client.post(f"/review/appeals/{number}/actions/take")
    client.post(
        f"/review/appeals/{number}/actions/answer", data={"text": "Отопление включено 2 декабря."}
    )
    assert db.session.scalars(select(OutboxMessage)).all() == []
    page = client.get(f"/review/appeals/{number}").get_data(as_text=True)
    assert "To tell the applicant by post or phone" in page
    assert "To tell by post or phone" in client.get("/review/?status=all").get_data(as_text=True)
    # Above the queue's default (open) view too, although the appeal is answered.
    queue = client.get("/review/").get_data(as_text=True)
    assert 'id="notify-title"' in queue and number in queue

    letter = client.get(f"/review/appeals/{number}/letter").get_data(as_text=True)
    assert "Отопление включено 2 декабря." in letter and number in letter
    assert "you may complain about it to" in letter
    assert "Астана, Кенесары 40, 12" in letter

    refused = client.post(f"/review/appeals/{number}/notified", data={"by": "pigeon"})
    assert refused.status_code == 422 and 'href="#notified-by"' in refused.get_data(as_text=True)
    done = client.post(f"/review/appeals/{number}/notified", data={"by": "phone"})
    assert done.status_code == 302
    event = db.session.scalar(select(AppealEvent).where(AppealEvent.action == "notified"))
    assert event.data["by"] == "phone" and event.data["on"] and not event.is_public
    page = client.get(f"/review/appeals/{number}").get_data(as_text=True)
    assert "To tell the applicant by post or phone" not in page
    assert 'id="notify-title"' not in client.get("/review/").get_data(as_text=True)
    assert "Read out by phone" in page


def _fill_from_histories():
    """The migration's own statement that fills the flag from the appeals' histories."""
    import importlib.util
    from pathlib import Path

    path = next(Path("migrations/versions").glob("c2d8f4a6b1e7_*.py"))
    spec = importlib.util.spec_from_file_location("notice_due_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FILL


def _flags() -> dict[str, bool]:
    return dict(db.session.execute(select(Appeal.number, Appeal.notice_due)).all())


def test_the_notice_flag_follows_each_step_and_the_migration_fills_it_alike(client, operator):
    """Kept by the one function that records events; the migration's fill from the
    histories gives the same flags (told, untold, with e-mail, only registered)."""
    for _ in range(3):
        _file_by_phone(client)
    untold, told, registered = db.session.scalars(select(Appeal).order_by(Appeal.id)).all()
    with_email = client.post("/appeals/new", data={**appeal_data(), "channel": "phone"})
    assert with_email.status_code == 302
    assert not any(_flags().values())  # the registration is told by the receipt

    official = make_staff(role="official")
    login(client, official)
    for appeal in (untold, told):
        client.post(f"/review/appeals/{appeal.number}/actions/take")
    assert _flags()[untold.number] and _flags()[told.number]
    assert client.post(f"/review/appeals/{told.number}/notified", data={"by": "post"}).status_code
    assert not _flags()[told.number]
    queue = client.get("/review/").get_data(as_text=True)
    listed = queue[queue.index('id="notify-title"') :]
    assert untold.number in listed and told.number not in listed[: listed.index("</section>")]

    kept = _flags()
    assert kept[untold.number] and not kept[told.number] and not kept[registered.number]
    db.session.execute(Appeal.__table__.update().values(notice_due=False))
    db.session.execute(text(_fill_from_histories()))
    assert _flags() == kept


def test_the_automatic_closing_is_not_news_to_tell(client, operator):
    """An answer told by phone, then closed by the job because nobody rated it: nothing to
    tell (no e-mail goes for it either); the migration's fill agrees."""
    from datetime import timedelta

    from reception.appeals import jobs
    from reception.core.types import utcnow
    from tests.factories import workflow_settings

    _file_by_phone(client)
    appeal = db.session.scalar(select(Appeal))
    login(client, make_staff(role="official"))
    client.post(f"/review/appeals/{appeal.number}/actions/take")
    client.post(f"/review/appeals/{appeal.number}/actions/answer", data={"text": "Сделано."})
    assert client.post(f"/review/appeals/{appeal.number}/notified", data={"by": "phone"})
    assert not _flags()[appeal.number]
    later = utcnow() + timedelta(days=workflow_settings().auto_close_days + 1)
    assert jobs.close_answered(db.session, now=later, settings=workflow_settings()) == 1
    db.session.commit()
    assert db.session.get(Appeal, appeal.id).status == "closed"
    assert not _flags()[appeal.number]
    db.session.execute(text(_fill_from_histories()))
    assert not _flags()[appeal.number]
