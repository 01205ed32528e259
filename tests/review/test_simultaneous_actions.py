"""Of two actions on one appeal at the same moment, exactly one is done.

The races are real: two threads, each with its own client and database connection, both
read the appeal before either writes (a barrier right after the request's read), then go
on. On PostgreSQL the loser waits for the winner's row lock and finds a new version; without
row locks (SQLite) the version column refuses its write. Either way: one event, one e-mail,
and the loser is told plainly (409 and a message, with what it typed kept on the page).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from reception.accounts.apikeys import create_api_key
from reception.api import v1
from reception.appeals import views as citizen_views
from reception.appeals.citizen_actions import perform_citizen_action
from reception.appeals.models import Appeal, AppealEvent
from reception.core.refusals import Refused
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.review import services
from reception.review import views as staff_views
from reception.review.actions import perform_staff_action
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff, store, workflow_settings

# Threads, and other connections changing an appeal meanwhile: real commits.
pytestmark = pytest.mark.commits

ANSWER_ONE = "The heating is repaired: first answer."
ANSWER_TWO = "Repairs are planned for Monday: second answer."


def both_read_first(monkeypatch, *targets):
    """Make each thread wait, right after its first read of the appeal, for the other."""
    barrier = threading.Barrier(2, timeout=30)
    seen = threading.local()
    for module, name in targets:
        original = getattr(module, name)

        def read_then_wait(*args, _original=original, **kwargs):
            result = _original(*args, **kwargs)
            if not getattr(seen, "read", False):
                seen.read = True
                barrier.wait()
            return result

        monkeypatch.setattr(module, name, read_then_wait)


def race(*calls):
    """Run the calls at once, in threads; return their results in order."""
    results: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index, call):
        try:
            results[index] = call()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    return results


def withdraw(client, appeal, data):
    number = appeal.number
    return lambda: client.post(f"/my/appeals/{number}/actions/withdraw", data=data)


def logged_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def citizen_browser(app, appeal, code):
    client = app.test_client()
    response = client.post("/track", data={"number": appeal.number, "code": code})
    assert response.status_code == 200
    return client


def api_headers(user):
    _, secret = create_api_key(db.session, name="DMS", user=user, now=datetime.now(UTC))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def taken_appeal():
    official = make_staff(role="official", email="first@example.kz")
    appeal, code = make_appeal(TUESDAY_MORNING)
    services.take_appeal(
        db.session, appeal, actor=official, now=TUESDAY_MORNING, settings=workflow_settings()
    )
    db.session.commit()
    return appeal, code, official


def count_events(appeal, action):
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(AppealEvent)
        .where(AppealEvent.appeal_id == appeal.id, AppealEvent.action == action)
    )


def update_mails(appeal):
    """The notices to the applicant after the appeal was taken (that step sends one too)."""
    db.session.rollback()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.appeal_id == appeal.id, OutboxMessage.template == "appeal_update")
            .order_by(OutboxMessage.id)
        )
    )[1:]


def current_status(appeal):
    db.session.rollback()
    return db.session.scalar(select(Appeal.status).where(Appeal.id == appeal.id))


def answer_page(client, appeal, text_):
    number = appeal.number  # read here: the threads have no app context of the test
    return lambda: client.post(f"/review/appeals/{number}/actions/answer", data={"text": text_})


def answer_api(client, appeal, headers, text_):
    number = appeal.number
    return lambda: client.post(
        f"/api/v1/appeals/{number}/actions",
        json={"action": "answer", "text": text_},
        headers=headers,
    )


def test_two_officials_answer_at_once_on_the_page(app, postgres_only, monkeypatch):
    appeal, _, first = taken_appeal()
    second = make_staff(role="official", email="second@example.kz")
    one, two = logged_in(app, first), logged_in(app, second)
    both_read_first(monkeypatch, (staff_views, "_staff_appeal"))

    responses = race(answer_page(one, appeal, ANSWER_ONE), answer_page(two, appeal, ANSWER_TWO))

    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(r for r in responses if r.status_code == 409)
    page = loser.get_data(as_text=True)
    assert "Someone else changed this appeal a moment ago" in page
    # What the loser typed is on the page again.
    lost_text = ANSWER_ONE if responses[0] is loser else ANSWER_TWO
    assert lost_text in page
    assert count_events(appeal, "answer") == 1
    assert len(update_mails(appeal)) == 1
    assert current_status(appeal) == "answered"


def test_two_answers_at_once_through_the_api(app, postgres_only, monkeypatch):
    appeal, _, first = taken_appeal()
    second = make_staff(role="official", email="second@example.kz")
    one, two = app.test_client(), app.test_client()
    both_read_first(monkeypatch, (v1, "_visible_appeal"))

    responses = race(
        answer_api(one, appeal, api_headers(first), ANSWER_ONE),
        answer_api(two, appeal, api_headers(second), ANSWER_TWO),
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.get_json()["error"]["code"] == "conflict"
    assert "changed this appeal a moment ago" in loser.get_json()["error"]["message"]
    assert count_events(appeal, "answer") == 1
    assert len(update_mails(appeal)) == 1


def test_citizen_withdraws_while_an_official_answers_on_the_pages(app, postgres_only, monkeypatch):
    appeal, code, official = taken_appeal()
    staff, citizen = logged_in(app, official), citizen_browser(app, appeal, code)
    both_read_first(
        monkeypatch, (staff_views, "_staff_appeal"), (citizen_views, "_appeal_for_viewer")
    )

    answered, withdrawn = race(
        answer_page(staff, appeal, ANSWER_ONE),
        withdraw(
            citizen,
            appeal,
            {"confirm": "yes", "reason": "Solved by itself"},
        ),
    )

    assert sorted([answered.status_code, withdrawn.status_code]) == [302, 409]
    status = current_status(appeal)
    decided = count_events(appeal, "answer") + count_events(appeal, "withdraw")
    assert decided == 1
    if withdrawn.status_code == 302:
        assert status == "withdrawn"
        assert "Someone else changed this appeal" in answered.get_data(as_text=True)
        assert ANSWER_ONE in answered.get_data(as_text=True)
    else:
        # The citizen is never told "withdrawn" about an appeal that was answered.
        assert status == "answered"
        page = withdrawn.get_data(as_text=True)
        assert "Someone else changed this appeal" in page
        assert "Solved by itself" in page
    assert len(update_mails(appeal)) == 1


def test_citizen_withdraws_while_a_staff_system_answers_through_the_api(
    app, postgres_only, monkeypatch
):
    appeal, code, official = taken_appeal()
    staff, citizen = app.test_client(), citizen_browser(app, appeal, code)
    headers = api_headers(official)
    both_read_first(monkeypatch, (v1, "_visible_appeal"), (citizen_views, "_appeal_for_viewer"))

    answered, withdrawn = race(
        answer_api(staff, appeal, headers, ANSWER_ONE),
        withdraw(citizen, appeal, {"confirm": "yes"}),
    )

    assert sorted([answered.status_code, withdrawn.status_code]) in ([200, 409], [302, 409])
    assert (answered.status_code == 409) != (withdrawn.status_code == 409)
    if answered.status_code == 409:
        assert answered.get_json()["error"]["code"] == "conflict"
        assert current_status(appeal) == "withdrawn"
    else:
        assert current_status(appeal) == "answered"
    assert count_events(appeal, "answer") + count_events(appeal, "withdraw") == 1
    assert len(update_mails(appeal)) == 1


def test_the_daily_job_does_not_close_an_answer_the_citizen_is_rating(app, postgres_only):
    """The job waits for the rating's row lock, then skips the appeal the rating closed."""
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from reception.appeals import jobs

    appeal, _, official = taken_appeal()
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        store=store(),
        text=ANSWER_ONE,
    )
    db.session.commit()
    later = TUESDAY_MORNING + timedelta(days=40)
    closed: list[int] = []

    def run_job():
        with app.app_context():
            closed.append(jobs.close_answered(db.session, now=later, settings=workflow_settings()))
            db.session.commit()
            db.session.remove()

    with Session(db.engine) as citizen_session:
        mine = citizen_session.get(Appeal, appeal.id)
        perform_citizen_action(
            citizen_session,
            mine,
            "rate",
            actor=None,
            now=later,
            settings=workflow_settings(),
            store=store(),
            data={"rating": "5"},
        )
        job = threading.Thread(target=run_job)
        job.start()
        job.join(2)
        assert job.is_alive()  # waiting for the citizen's row lock
        citizen_session.commit()
    job.join(30)
    assert closed == [0]
    assert count_events(appeal, "rate") == 1 and count_events(appeal, "close") == 0
    assert current_status(appeal) == "closed"


# Without row locks: the version column alone refuses the second writer.


def test_an_action_on_an_appeal_changed_since_it_was_read_is_a_conflict():
    appeal, _, official = taken_appeal()
    number = appeal.number
    # Another transaction changes the appeal after this one read it.
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE appeals SET version = version + 1 WHERE id = :id"), {"id": appeal.id}
        )
    with pytest.raises(Refused) as refused:
        perform_staff_action(
            db.session,
            appeal,
            "answer",
            actor=official,
            now=TUESDAY_MORNING,
            settings=workflow_settings(),
            store=store(),
            data={"text": ANSWER_ONE},
        )
    assert refused.value.code == "conflict"
    db.session.rollback()
    assert count_events(appeal, "answer") == 0
    assert db.session.scalar(select(Appeal.status).where(Appeal.number == number)) == "in_progress"


def test_a_write_over_a_version_changed_after_the_lock_is_refused(monkeypatch):
    """Where the database takes no row lock, the stale write itself finds no row."""
    from reception.appeals import citizen_actions
    from reception.review import actions

    appeal, code, official = taken_appeal()
    real_lock = actions.lock_appeal

    def lock_then_someone_else_writes(session, target):
        locked = real_lock(session, target)
        with db.engine.begin() as other:
            other.execute(
                text("UPDATE appeals SET version = version + 1 WHERE id = :id"), {"id": target.id}
            )
        return locked

    monkeypatch.setattr(actions, "lock_appeal", lock_then_someone_else_writes)
    monkeypatch.setattr(citizen_actions, "lock_appeal", lock_then_someone_else_writes)
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL holds the row lock: the other writer would wait for it")
    for call, action, data in (
        (perform_staff_action, "answer", {"text": ANSWER_ONE}),
        (perform_citizen_action, "withdraw", {"reason": ""}),
    ):
        with pytest.raises(Refused) as refused:
            call(
                db.session,
                appeal,
                action,
                actor=official if call is perform_staff_action else None,
                now=TUESDAY_MORNING,
                settings=workflow_settings(),
                store=store(),
                data=data,
            )
        assert refused.value.code == "conflict"
        db.session.rollback()
    assert count_events(appeal, "answer") == count_events(appeal, "withdraw") == 0
    assert update_mails(appeal) == []


def test_stale_version_on_the_page_keeps_the_draft(client, monkeypatch):
    appeal, _, official = taken_appeal()
    staff = logged_in(client.application, official)
    original = staff_views._staff_appeal

    def read_then_changed_elsewhere(number):
        found = original(number)
        with db.engine.begin() as other:
            other.execute(
                text("UPDATE appeals SET version = version + 1 WHERE id = :id"), {"id": found.id}
            )
        monkeypatch.setattr(staff_views, "_staff_appeal", original)
        return found

    monkeypatch.setattr(staff_views, "_staff_appeal", read_then_changed_elsewhere)
    response = staff.post(
        f"/review/appeals/{appeal.number}/actions/answer", data={"text": ANSWER_ONE}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this appeal a moment ago" in page and ANSWER_ONE in page
    assert count_events(appeal, "answer") == 0
