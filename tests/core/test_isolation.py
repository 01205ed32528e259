"""How tests are kept apart: a transaction rolled back per test, or, for tests marked
`commits`, every table but the reference data emptied afterwards (see tests/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

import tests.conftest as shared
from reception.accounts.models import User, UserSession
from reception.appeals.models import Appeal
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING, data_tables, delete_test_data, leftover_rows
from tests.factories import PASSWORD, make_appeal, make_staff, make_user


def _count_elsewhere(table) -> int:
    """Count rows on a connection of its own, outside the test's transaction."""
    with db.engine.connect() as other:
        return other.execute(select(func.count()).select_from(table)).scalar_one()


def test_reference_data_is_what_the_seed_and_migrations_fill():
    assert {"regions", "categories", "authorities"} <= shared.REFERENCE_DATA
    assert not {"appeals", "users", "outbox_messages"} & shared.REFERENCE_DATA
    # Every other table is emptied after a test that commits, children before parents.
    names = [table.name for table in data_tables()]
    assert set(names) == set(db.metadata.tables) - shared.REFERENCE_DATA
    assert names.index("appeal_events") < names.index("appeals") < names.index("users")


def test_a_commit_in_a_test_stays_in_its_transaction(client):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    db.session.commit()
    # The requests of the test client join the same transaction and see the appeal ...
    staff = make_staff(role="official")
    db.session.commit()
    client.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert client.get(f"/review/appeals/{appeal.number}").status_code == 200
    # ... no other connection does: it is rolled back at the end of the test.
    assert _count_elsewhere(Appeal.__table__) == 0
    assert leftover_rows()["appeals"] == 1


def test_a_commit_in_a_test_fires_the_after_commit_hooks():
    fired = []

    def after_commit(session):
        fired.append(session)

    event.listen(Session, "after_commit", after_commit)
    try:
        make_user()
        db.session.commit()
    finally:
        event.remove(Session, "after_commit", after_commit)
    assert fired and all(session is db.session() for session in fired)


@pytest.mark.commits
def test_a_test_that_commits_commits_for_real_and_is_cleaned_after():
    make_appeal(TUESDAY_MORNING, actor=make_user())
    db.session.commit()
    assert _count_elsewhere(Appeal.__table__) == 1
    assert {"appeals", "appeal_events", "users", "outbox_messages"} <= set(leftover_rows())
    # What the shared clean-up does after this test: then nothing is left.
    delete_test_data()
    db.session.commit()
    assert leftover_rows() == {}
    assert _count_elsewhere(Appeal.__table__) == 0


def test_a_rollback_of_the_test_undoes_its_own_writes_not_what_requests_committed(client):
    staff = make_staff(role="official")
    db.session.commit()
    client.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert staff.email  # the test's session reads: it holds a savepoint open
    client.post("/logout")  # a request commits inside it (the session record ends)
    db.session.rollback()
    ended = db.session.scalars(select(UserSession.ended_at)).all()
    assert ended and all(ended), "what the request committed stays"

    make_user(email="kept@example.kz")  # committed by the factory
    db.session.add(User(email="undone@example.kz", full_name="Undone", role="citizen"))
    db.session.flush()
    db.session.rollback()
    emails = set(db.session.scalars(select(User.email)))
    assert "kept@example.kz" in emails and "undone@example.kz" not in emails
