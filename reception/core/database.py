"""When the database goes away: which errors mean it, and ending requests without it."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from flask import Flask, g
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from reception.extensions import db, login_manager


def database_unavailable(error: BaseException) -> bool:
    """True when an error means the database cannot be reached or the connection died.

    The driver reports a lost connection in several ways: OperationalError mostly, but also
    InterfaceError, or another DBAPIError that SQLAlchemy recognised as a disconnect.
    """
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def forget_transaction() -> None:
    """Roll back the session without letting a dead connection raise again."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        # The rollback itself met the dead connection: drop the connection unused.
        db.session().invalidate()


def _bound_connection() -> Connection | None:
    """The one connection the session factory is bound to, when it is (the test suite binds
    it, one transaction for everything) and it is this application's database."""
    bound = db.session.session_factory.kw.get("bind")
    if isinstance(bound, Connection) and bound.engine.url == db.engine.url:
        return bound
    return None


@contextmanager
def plain_connection() -> Iterator[Connection]:
    """A connection from the pool for a few plain reads, outside the session.

    For a read of one or two rows of plain columns, the session's transaction around it
    (begun, then rolled back and closed at the end of the request) costs more than the
    query. Where the session factory is bound to one connection of this database (one
    transaction for everything, as the test suite binds it), that connection is used, so
    that these reads see what the session sees.
    """
    bound = _bound_connection()
    if bound is not None:
        yield bound
        return
    with db.engine.connect() as connection:
        yield connection


class KeyRead:
    """One row of a few plain columns, found by keys the caller gives, read on the database
    driver's cursor.

    For the hottest reads of the public pages (the version that keys a kept answer): a
    SQLAlchemy Connection around the query (its object, events, transaction and result)
    costs several times the query. SQLAlchemy still writes the SQL, once per dialect and
    driver, and converts each column as it would (its result processors); only the
    execution is the driver's own. `first` takes a connection from the pool and gives it
    back rolled back; `first_on` reads on a connection the caller holds. A statement whose
    parameters are not all given by the caller as they are (a literal value, a list, a type
    that converts what it binds) is refused when first compiled.

    Any driver error sends the read through SQLAlchemy itself, on a connection of its own
    (or the caller's), so that a failure is SQLAlchemy's: wrapped, its parameters hidden,
    a lost connection invalidated, counted in the metrics, and answered by the error pages
    as any other. Tests see each read through `observers` (tests/querycount.py).
    """

    observers: list = []  # callables given the SQL of each read on the driver (tests)

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[tuple[str, str], tuple] = {}

    def _for(self, dialect) -> tuple:
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            for bind in compiled.binds.values():
                if bind.value is not None or bind.callable is not None or bind.expanding:
                    raise ValueError(f"KeyRead takes its keys from the caller: {bind.key}")
                if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                    raise ValueError(f"KeyRead binds values as they are: {bind.key}")
            names = tuple(compiled.positiontup) if compiled.positional else None
            columns = self.statement.selected_columns
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            )
            row_type = _row_type(tuple(column.key for column in columns))
            found = self._compiled[key] = (str(compiled), names, processors, row_type)
        return found

    def first(self, **params):
        """The first row (a named tuple of the statement's columns), or None."""
        bound = _bound_connection()
        if bound is not None:
            return self.first_on(bound, **params)
        engine = db.engine
        driver_error = engine.dialect.loaded_dbapi.Error
        try:
            pooled = engine.raw_connection()
        except driver_error:
            return self._through_sqlalchemy(params)
        try:
            return self._read(pooled, engine.dialect, params)
        except driver_error as error:
            if engine.dialect.is_disconnect(error, pooled.dbapi_connection, None):
                pooled.invalidate(error)
        finally:
            pooled.close()  # back to the pool, rolled back
        return self._through_sqlalchemy(params)

    def first_on(self, connection: Connection, **params):
        """The same read on a connection the caller holds (not closed here)."""
        dialect = connection.dialect
        try:
            return self._read(connection.connection, dialect, params)
        except dialect.loaded_dbapi.Error:
            return connection.execute(self.statement, params).first()

    def _through_sqlalchemy(self, params):
        with plain_connection() as connection:
            return connection.execute(self.statement, params).first()

    def _read(self, pooled, dialect, params):
        sql, names, processors, row_type = self._for(dialect)
        args = tuple(params[name] for name in names) if names is not None else params
        for observe in self.observers:
            observe(sql)
        cursor = pooled.cursor()
        try:
            cursor.execute(sql, args)
            raw = cursor.fetchone()
        finally:
            cursor.close()
        if raw is None:
            return None
        return row_type(
            *(
                process(value) if process is not None else value
                for process, value in zip(processors, raw, strict=True)
            )
        )


@lru_cache(maxsize=64)
def _row_type(fields: tuple[str, ...]):
    return namedtuple("KeyRow", fields)  # noqa: PYI024 (a row type made from the columns)


def serve_as_visitor() -> None:
    """Show the rest of this request's page as to a visitor.

    After a rollback the signed-in user's row is expired, and showing their name or role
    would ask the database again: an error page must not need the database.
    """
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request user


def install_connection_release(app: Flask) -> None:
    """End each request's session even if its connection died after the answer was made.

    Flask-SQLAlchemy closes the session after every request, which rolls back on the
    connection; if the database went away meanwhile, that rollback raised and turned a
    finished page into a server error. This runs first (teardowns run in reverse order) and
    drops a dead connection quietly; the database has ended its transaction anyway.
    """

    @app.teardown_appcontext
    def release_connection(exc):
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            if not database_unavailable(error):
                raise
            app.logger.warning("database connection lost at the end of a request: %s", error)
            db.session().invalidate()
            db.session.remove()
