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


@contextmanager
def plain_connection() -> Iterator[Connection]:
    """A connection from the pool for a few plain reads, outside the session.

    For a read of one or two rows of plain columns, the session's transaction around it
    (begun, then rolled back and closed at the end of the request) costs more than the
    query. Where the session factory is bound to one connection (one transaction for
    everything, as the test suite binds it), that connection is used, so that these reads
    see what the session sees.
    """
    bound = db.session.session_factory.kw.get("bind")
    if isinstance(bound, Connection):
        yield bound
        return
    with db.engine.connect() as connection:
        yield connection


class KeyRead:
    """One row of a few plain columns, found by key, read on the database driver's cursor.

    For the hottest reads of the public pages (the version that keys a kept answer): a
    SQLAlchemy Connection around the query (its object, events, transaction and result)
    costs several times the query. SQLAlchemy still writes the SQL, once per dialect, and
    converts each column as it would (its result processors); only the execution is the
    driver's own. The connection comes from the engine's pool and goes back to it, rolled
    back. Where the session factory is bound to one connection (as the test suite binds
    it), the read runs on that connection's driver connection, so that it sees what the
    session sees and the same code runs in the tests.

    A driver error is raised as SQLAlchemy's (DBAPIError and its kinds), a lost connection
    invalidated, so that the error pages treat it as any other database error. It is not
    counted in the database error metric (that listens on the engine's executions).
    """

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def _for(self, dialect) -> tuple:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            names = tuple(compiled.positiontup) if compiled.positional else None
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            )
            fields = tuple(column.key for column in self.statement.selected_columns)
            found = self._compiled[dialect.name] = (str(compiled), names, processors, fields)
        return found

    def first(self, **params):
        """The first row (a named tuple of the statement's columns), or None."""
        bound = db.session.session_factory.kw.get("bind")
        engine = bound.engine if isinstance(bound, Connection) else db.engine
        dialect = engine.dialect
        sql, names, processors, fields = self._for(dialect)
        args = tuple(params[name] for name in names) if names is not None else params
        if isinstance(bound, Connection):
            raw = self._run(bound.connection, dialect, sql, args)
        else:
            pooled = engine.raw_connection()
            try:
                raw = self._run(pooled, dialect, sql, args)
            finally:
                pooled.close()  # back to the pool, rolled back
        if raw is None:
            return None
        values = [
            process(value) if process is not None else value
            for process, value in zip(processors, raw, strict=True)
        ]
        return _row_type(fields)(*values)

    @staticmethod
    def _run(connection, dialect, sql: str, args):
        cursor = connection.cursor()
        try:
            cursor.execute(sql, args)
            return cursor.fetchone()
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, connection.dbapi_connection, cursor)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(
                sql,
                args,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()


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
