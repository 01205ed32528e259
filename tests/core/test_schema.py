"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from reception.appeals.search import include_name
from reception.extensions import db


def test_migrations_and_models_agree():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_status_constraint_is_enforced_by_the_database():
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from tests.conftest import TUESDAY_MORNING
    from tests.factories import make_appeal

    appeal, _ = make_appeal(TUESDAY_MORNING)
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE appeals SET status = 'lost' WHERE id = :id"), {"id": appeal.id}
        )
        db.session.flush()
    db.session.rollback()
