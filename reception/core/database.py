"""When the database goes away: which errors mean it, and ending requests without it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
