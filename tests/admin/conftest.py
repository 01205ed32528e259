"""Fixtures for the administration: an administrator, and reference data put back after each test.

The reference data is seeded once per run. A test's transaction is rolled back at its end,
reference data included; a test marked `commits` commits for real and the shared clean-up
only empties the test data tables, so such a test takes a snapshot of the reference tables
it may change and restores it afterwards: rows it added go, rows it changed or deleted come
back as they were.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, update

from reception.extensions import db
from tests.conftest import delete_test_data
from tests.factories import PASSWORD, make_user

# Parents before children; restored children last.
REFERENCE_TABLES = ("categories", "authorities", "routing_rules", "answer_templates")


def _rows(name: str) -> dict[int, dict]:
    table = db.metadata.tables[name]
    return {row.id: dict(row._mapping) for row in db.session.execute(select(table))}


def _put_back(name: str, saved: dict[int, dict], *, delete_new: bool = True) -> None:
    table = db.metadata.tables[name]
    current = _rows(name)
    for ident, row in saved.items():
        if ident not in current:
            db.session.execute(insert(table).values(**row))
        elif current[ident] != row:
            db.session.execute(update(table).where(table.c.id == ident).values(**row))
    if delete_new and set(current) - set(saved):
        db.session.execute(delete(table).where(table.c.id.not_in(list(saved))))


def _restore(snapshot: dict[str, dict[int, dict]]) -> None:
    for name in ("routing_rules", "answer_templates"):
        table = db.metadata.tables[name]
        db.session.execute(delete(table).where(table.c.id.not_in(list(snapshot[name]))))
    authorities = db.metadata.tables["authorities"]
    _put_back("authorities", snapshot["authorities"], delete_new=False)
    db.session.execute(
        update(authorities)
        .where(authorities.c.id.not_in(list(snapshot["authorities"])))
        .values(superior_id=None)
    )
    _put_back("authorities", snapshot["authorities"])
    _put_back("categories", snapshot["categories"])
    _put_back("routing_rules", snapshot["routing_rules"])
    _put_back("answer_templates", snapshot["answer_templates"])


@pytest.fixture(autouse=True)
def _restore_reference_data(request, _app_context):
    if request.node.get_closest_marker("commits") is None:
        yield  # rolled back with the test's transaction
        return
    snapshot = {name: _rows(name) for name in REFERENCE_TABLES}
    yield
    db.session.rollback()
    # Users and appeals may point at bodies and topics a test added: they go first.
    delete_test_data()
    _restore(snapshot)
    db.session.commit()


def login(client, user, password=PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def admin():
    return make_user(role="admin", email="admin@example.kz", full_name="Әсел Әкімшілік")


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client
