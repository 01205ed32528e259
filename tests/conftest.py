"""Shared fixtures: one migrated database per run; each test runs in a transaction rolled back at its end.

The database is SQLite by default and PostgreSQL when TEST_DATABASE_URL says so; the same
tests run on both. Tests marked `postgres` need PostgreSQL: they are skipped on SQLite,
and fail instead when RECEPTION_REQUIRE_POSTGRES=1 (as in CI), so they cannot go quiet.

Isolation. Every test opens one connection and begins an outer transaction on it; every
`db.session` of the test (the test's own, and the one of each request the test client
sends, in its own application context) joins that transaction with a savepoint, so that
`commit()` releases a savepoint and fires the session's after-commit hooks as usual. At the
end of the test the outer transaction is rolled back: nothing the test wrote remains, in
any table, with no list to keep.

A test that needs real commits (threads, several connections or processes, an outage, a
replica) is marked `@pytest.mark.commits`: it runs on the engine as the product does, and
afterwards every table but the reference data is emptied, children first, and checked empty.
"""

from __future__ import annotations

import contextvars
import os
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import delete, event, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from config import TestingConfig
from reception import create_app
from reception.extensions import db

# The tables that hold reference data once the schema is migrated and seeded (regions,
# categories, authorities, ...): they stay for the whole run. Filled by `app`.
REFERENCE_DATA: frozenset[str] = frozenset()


def reference_tables() -> frozenset[str]:
    """The tables with rows right after migrating and seeding: the run's reference data."""
    return frozenset(
        table.name
        for table in db.metadata.sorted_tables
        if db.session.execute(select(func.count()).select_from(table)).scalar_one()
    )


def data_tables() -> list:
    """Every table but the reference data, children first."""
    return [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_DATA]


def delete_test_data() -> None:
    """Empty every table but the reference data (for tests that really commit)."""
    for table in data_tables():
        db.session.execute(delete(table))


def leftover_rows() -> dict[str, int]:
    """Rows left in the tables that are not reference data, by table."""
    counts = {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in data_tables()
    }
    return {name: count for name, count in counts.items() if count}


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
    global REFERENCE_DATA
    application = create_app(make_config(tmp_path_factory))
    application.test_client_class = IsolatedClient
    with application.app_context():
        reset_schema()
        from reception.directory.seed import seed_reference

        seed_reference(db.session)
        db.session.commit()
        REFERENCE_DATA = reference_tables()
        db.session.remove()
    return application


# --- One outer transaction per test ---------------------------------------------------

_flask_get_bind = FlaskSession.get_bind


def _get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
    """Flask-SQLAlchemy picks the app's engine and ignores a session's own bind; while a
    test holds its outer connection, a session given it (see OuterTransaction) uses it for
    the database it is connected to, whichever app the session belongs to."""
    chosen = _flask_get_bind(self, mapper=mapper, clause=clause, bind=bind, **kwargs)
    joined = self.bind
    if bind is None and isinstance(joined, Connection) and chosen.url == joined.engine.url:
        return joined
    return chosen


FlaskSession.get_bind = _get_bind


class OuterTransaction:
    """A test's connection and transaction, which every `db.session` joins with savepoints.

    pysqlite begins a transaction only before a write and commits on its own before
    SAVEPOINT, so on SQLite the connection's driver is told to leave transactions alone
    (isolation_level None) and BEGIN is sent when SQLAlchemy begins (the recipe of the
    SQLAlchemy documentation, for this connection only).

    The test's own session and the sessions of its requests take their savepoints on the
    one connection, so a request's savepoint may sit inside one the test's session holds
    open for its reads. When a session rolls back a savepoint in which it wrote nothing
    itself (only read, or let requests commit inside it), the savepoint is released
    instead: a rollback undoes only the session's own writes, as it does on a connection
    of its own, and what the requests committed stays.
    """

    current: OuterTransaction | None = None

    def __init__(self) -> None:
        self.connection = db.engine.connect()
        self.driver = None
        # Savepoint name -> the session that took it; the savepoints with writes of their own.
        self.owners: dict[str, int] = {}
        self.written: set[str] = set()
        if self.connection.dialect.name == "sqlite":
            self.driver = self.connection.connection.driver_connection
            self.driver_isolation = self.driver.isolation_level
            self.driver.isolation_level = None
        OuterTransaction.current = self
        self.transaction = self.connection.begin()
        rollback_to = self.connection._rollback_to_savepoint_impl

        def rollback_or_release(name: str) -> None:
            if name in self.owners and name not in self.written:
                self.connection._release_savepoint_impl(name)
            else:
                rollback_to(name)

        self.connection._rollback_to_savepoint_impl = rollback_or_release
        self.factory = db.session.session_factory
        self.saved_options = dict(self.factory.kw)
        self.factory.configure(bind=self.connection, join_transaction_mode="create_savepoint")

    def _innermost(self, name: str | None = None):
        nested = self.connection._nested_transaction
        while nested is not None and name is not None and nested._savepoint != name:
            nested = nested._previous_nested
        return nested

    def took(self, session, transaction) -> None:
        nested = transaction._connections[self.connection][1]
        if nested is self._innermost() and nested is not None:
            self.owners[nested._savepoint] = id(session)

    def wrote(self) -> None:
        nested = self._innermost()
        if nested is not None:
            self.written.add(nested._savepoint)

    def released(self, name: str) -> None:
        """A savepoint's writes count as its parent's when one session took both."""
        nested = self._innermost(name)
        parent = nested._previous_nested if nested is not None else None
        same_session = parent is not None and (
            self.owners.get(parent._savepoint) == self.owners.get(name)
        )
        if name in self.written and same_session:
            self.written.add(parent._savepoint)

    def rollback(self) -> None:
        db.session.remove()
        self.factory.kw.clear()
        self.factory.kw.update(self.saved_options)
        try:
            if self.transaction.is_active:
                self.transaction.rollback()
        finally:
            OuterTransaction.current = None
            if self.driver is not None:
                self.driver.isolation_level = self.driver_isolation
            self.connection.close()


def _outer_connection(connection: Connection) -> OuterTransaction | None:
    outer = OuterTransaction.current
    return outer if outer is not None and connection is outer.connection else None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Connection) -> None:
    outer = _outer_connection(connection)
    if outer is not None and outer.driver is not None:
        connection.exec_driver_sql("BEGIN")


_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "PRAGMA", "SHOW")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany):
    outer = _outer_connection(connection)
    if outer is not None and not statement.lstrip().upper().startswith(_READS):
        outer.wrote()


@event.listens_for(Engine, "handle_error")
def _note_errors(context):
    # A failed statement leaves PostgreSQL's savepoint aborted: it must be rolled back.
    outer = _outer_connection(context.connection) if context.connection is not None else None
    if outer is not None:
        outer.wrote()


@event.listens_for(Engine, "release_savepoint")
def _note_release(connection, name, xid):
    outer = _outer_connection(connection)
    if outer is not None:
        outer.released(name)


@event.listens_for(Session, "after_begin")
def _note_savepoint(session, transaction, connection):
    outer = _outer_connection(connection)
    if outer is not None:
        outer.took(session, transaction)


def _forget_kept_views(app) -> None:
    # Kept views of appeals (keyed by id and version): the next test's rows reuse ids.
    for kept in (
        "reception_status_content",
        "reception_status_pages",
        "reception_term_steps",
        "reception_open311_answers",
    ):
        app.extensions.pop(kept, None)


@pytest.fixture(autouse=True)
def _app_context(request, app):
    """Run each test inside an app context, in a transaction rolled back at its end.

    Tests marked `commits` commit for real; every table but the reference data is emptied
    afterwards, and the test fails if rows remain.
    """
    commits = request.node.get_closest_marker("commits") is not None
    with app.app_context():
        if commits:
            yield
            db.session.rollback()
            delete_test_data()
            db.session.commit()
            left = leftover_rows()
            db.session.remove()
        else:
            outer = OuterTransaction()
            try:
                yield
            finally:
                outer.rollback()
            left = {}
        _forget_kept_views(app)
    if left:
        pytest.fail(f"the test left rows behind: {left}")


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
