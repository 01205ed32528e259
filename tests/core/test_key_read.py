"""core.database.KeyRead: a row of plain columns read on the driver, as SQLAlchemy reads it."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, literal_column, select, table
from sqlalchemy.exc import DBAPIError

from reception.appeals.models import Appeal
from reception.core.database import KeyRead
from reception.directory.models import Category
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import make_appeal

KEYS = select(Appeal.id, Appeal.number, Appeal.version, Appeal.updated_at).where(
    Appeal.number == bindparam("number")
)


def test_the_row_is_the_one_sqlalchemy_reads_with_its_types(app):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    db.session.commit()
    expected = db.session.connection().execute(KEYS, {"number": appeal.number}).first()
    found = KeyRead(KEYS).first(number=appeal.number)
    assert tuple(found) == tuple(expected)
    assert (found.id, found.number, found.version) == (appeal.id, appeal.number, appeal.version)
    assert found.updated_at == appeal.updated_at and found.updated_at.tzinfo is not None


def test_no_row_is_none_and_odd_keys_are_only_values(app):
    read = KeyRead(KEYS)
    for odd in ("RC-2026-99999999", "' OR 1=1 --", "١٢٣", "x" * 4000, "%", "_"):
        assert read.first(number=odd) is None


def test_a_read_outside_the_tests_transaction_uses_the_pool(app):
    """Without a session bound to one connection (as production runs), a connection comes
    from the engine's pool and goes back to it: it sees what is committed."""
    code = db.session.scalars(select(Category.code).limit(1)).one()
    read = KeyRead(select(Category.id, Category.code).where(Category.code == bindparam("code")))
    factory = db.session.session_factory
    bound = factory.kw.pop("bind")
    try:
        checked_out = db.engine.pool.checkedout()
        found = read.first(code=code)
        assert db.engine.pool.checkedout() == checked_out  # given back
    finally:
        factory.kw["bind"] = bound
    assert found is not None and found.code == code


def test_a_driver_error_is_sqlalchemys_error(app):
    broken = KeyRead(select(literal_column("x")).select_from(table("no_such_table")))
    with pytest.raises(DBAPIError):
        broken.first()
