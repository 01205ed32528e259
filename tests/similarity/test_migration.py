"""The migration goes on, with a clear warning, where the database user may not add pg_trgm."""

import importlib.util
import logging
from pathlib import Path

import sqlalchemy as sa

MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "migrations"
    / "versions"
    / "c7e4a1f09b52_similar_appeals_and_groups.py"
)


def load():
    spec = importlib.util.spec_from_file_location("similar_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Savepoint:
    def __init__(self):
        self.rolled_back = self.committed = False

    def rollback(self):
        self.rolled_back = True

    def commit(self):
        self.committed = True


class NoRights:
    """A connection whose user may not create extensions."""

    def __init__(self):
        self.savepoint = Savepoint()

    def execute(self, statement):
        if "CREATE EXTENSION" in str(statement):
            raise sa.exc.ProgrammingError(
                str(statement), {}, Exception('permission denied to create extension "pg_trgm"')
            )
        return type("Result", (), {"scalar": lambda self: None})()

    def begin_nested(self):
        return self.savepoint


def test_without_the_right_to_create_pg_trgm_it_warns_and_goes_on(caplog):
    bind = NoRights()
    with caplog.at_level(logging.WARNING, logger="alembic.runtime.migration"):
        assert load()._has_pg_trgm(bind) is False
    assert bind.savepoint.rolled_back
    assert "permission denied" in caplog.text and "CREATE EXTENSION pg_trgm" in caplog.text
