"""Shared fixtures: one migrated database per run, emptied of test data after each test.

The database is SQLite by default and PostgreSQL when TEST_DATABASE_URL says so; the same
tests run on both. Tests marked `postgres` need PostgreSQL: they are skipped on SQLite,
and fail instead when RECEPTION_REQUIRE_POSTGRES=1 (as in CI), so they cannot go quiet.
"""

from __future__ import annotations

import contextvars
import os
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import delete, text

from config import TestingConfig
from reception import create_app
from reception.extensions import db

# Tables written by tests, children first; reference data stays for the whole run.
TEST_DATA_TABLES = (
    "appeal_rollup_values",
    "appeal_rollups",
    "appeal_rollup_values_by_authority",
    "appeal_rollups_by_authority",
    "appeal_rollup_values_monthly",
    "appeal_rollups_monthly",
    "appeal_rollup_values_monthly_by_authority",
    "appeal_rollups_monthly_by_authority",
    "security_events",
    "heartbeats",
    "audit_log",
    "delivery_attempts",
    "outbox_messages",
    "attachments",
    "co_applicants",
    "appeal_events",
    "appeals",
    "appeal_groups",
    "registration_counters",
    "idempotency_keys",
    "api_keys",
    "recovery_codes",
    "user_sessions",
    "users",
    "holiday_overrides",
)


def make_config(tmp_path_factory, **overrides) -> type[TestingConfig]:
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'reception-test.db'}"
    )
    attrs = {
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
        **overrides,
    }
    return type("TestConfig", (TestingConfig,), attrs)


class IsolatedClient(FlaskClient):
    """Run each request in its own app context, as a server does.

    Tests hold an app context for the services they call; without this, requests would
    share it (and its cached locale, user and database session) with the test and with
    each other.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Tests read English unless they ask for another language.
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, **kwargs):
        # Buffered, so that a streamed body is read while its request context still exists.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def reset_schema() -> None:
    """Drop everything and build the schema from the migrations, as production does."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    application = create_app(make_config(tmp_path_factory))
    application.test_client_class = IsolatedClient
    with application.app_context():
        reset_schema()
        from reception.directory.seed import seed_reference

        seed_reference(db.session)
        db.session.commit()
    return application


@pytest.fixture(autouse=True)
def _app_context(request, app):
    """Run each test inside an app context and remove its data afterwards."""
    with app.app_context():
        yield
        db.session.rollback()
        for table in TEST_DATA_TABLES:
            db.session.execute(delete(db.metadata.tables[table]))
        db.session.commit()
        db.session.remove()
        # Kept views of appeals (keyed by id and version): the next test's rows reuse ids.
        for kept in ("reception_status_content", "reception_term_steps"):
            app.extensions.pop(kept, None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgres(app) -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def postgres_only(is_postgres):
    if not is_postgres:
        if os.environ.get("RECEPTION_REQUIRE_POSTGRES") == "1":
            pytest.fail("this test needs PostgreSQL (TEST_DATABASE_URL)")
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")


# A Tuesday morning in Astana (09:00 local, UTC+5): an ordinary working day.
TUESDAY_MORNING = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)


@pytest.fixture
def make_app(app):
    """Build another app on the same database with some settings changed."""

    def build(**overrides):
        from reception import create_app

        settings = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            **overrides,
        }
        other = create_app(type("OtherTestConfig", (TestingConfig,), settings))
        other.test_client_class = IsolatedClient
        return other

    yield build
    # The limiter is one object for every app: an app built here with limits on must not
    # leave them on for the tests that follow.
    from reception.extensions import limiter

    limiter.enabled = app.config["RATELIMIT_ENABLED"]


class GoneAfterCommit:
    """Once armed, every ORM query after the next commit fails, as if the connection had
    died right then: what a view does after its commit must not need the database."""

    def __init__(self):
        self.armed = False
        self.committed = False

    def after_commit(self, session):
        self.committed = self.committed or self.armed

    def before_query(self, state):
        if self.committed:
            from sqlalchemy.exc import OperationalError

            raise OperationalError("SELECT", {}, ConnectionError("server closed the connection"))


@pytest.fixture
def gone_after_commit():
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    gone = GoneAfterCommit()
    event.listen(Session, "after_commit", gone.after_commit)
    event.listen(Session, "do_orm_execute", gone.before_query)
    yield gone
    event.remove(Session, "after_commit", gone.after_commit)
    event.remove(Session, "do_orm_execute", gone.before_query)
