"""Reports read from a read replica when one is configured (DATABASE_REPLICA_URL).

The dashboard, the CSV export and `/stats` read through `report_session()`: a session on the
replica's engine (a SQLAlchemy bind named "replica"), opened once per request and closed with
the application context; everything else, and every write, uses the primary. Without the
setting, `report_session()` is the primary's session, so nothing changes. A replica lags the
primary by its replication delay: reports may be that much behind, never the pages of an
appeal.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from reception.extensions import db

BIND = "replica"


def configure_replica_bind(app: Flask) -> None:
    """Add the replica as a bind (before db.init_app) and close its sessions at teardown."""
    url = app.config.get("DATABASE_REPLICA_URL") or ""
    if url:
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds[BIND] = url
        app.config["SQLALCHEMY_BINDS"] = binds

    @app.teardown_appcontext
    def close_report_session(_error=None):
        session = g.pop("_report_session", None)
        if session is not None:
            session.close()


def report_session():
    """The session reports read from: the replica's when configured, else the primary's."""
    if not current_app.config.get("DATABASE_REPLICA_URL"):
        return db.session
    session = g.get("_report_session")
    if session is None:
        session = Session(bind=db.engines[BIND], autoflush=False)
        g._report_session = session
    return session
