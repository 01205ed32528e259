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


def test_a_driver_error_is_sqlalchemys_error_with_its_parameters_hidden(app):
    broken = KeyRead(
        select(literal_column("x"))
        .select_from(table("no_such_table"))
        .where(literal_column("y") == bindparam("number"))
    )
    with pytest.raises(DBAPIError) as raised:
        broken.first(number="RC-2026-00000742")
    assert "RC-2026-00000742" not in str(raised.value)


@pytest.mark.parametrize(
    "where",
    [
        Appeal.version == 5,  # a value of its own
        Appeal.id.in_(bindparam("ids", expanding=True)),  # a list
        Appeal.updated_at == bindparam("at"),  # a type that converts what it binds
    ],
)
def test_a_statement_with_values_it_does_not_take_from_the_caller_is_refused(app, where):
    read = KeyRead(select(Appeal.id).where(where))
    with pytest.raises(ValueError, match="KeyRead"):
        read.first(ids=[1], at=None)


def test_the_reads_are_seen_by_the_query_counter(app):
    from tests.querycount import count_queries

    with count_queries() as statements:
        KeyRead(KEYS).first(number="RC-2026-00000001")
    assert len(statements) == 1 and "FROM appeals" in statements[0]
