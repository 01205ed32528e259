"""Count the SQL statements a request runs (to catch N+1 queries)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from reception.core.database import KeyRead

# A test's sessions take savepoints in the test's transaction (tests/conftest.py); on their
# own connections they would begin and commit without a statement. Those are not queries.
SAVEPOINTS = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


@contextmanager
def count_queries():
    """Yield a list that collects every statement executed inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(SAVEPOINTS):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    # The reads made on the driver's cursor (reception/core/database.KeyRead) too.
    KeyRead.observers.append(statements.append)
    try:
        yield statements
    finally:
        KeyRead.observers.remove(statements.append)
        event.remove(Engine, "before_cursor_execute", record)
