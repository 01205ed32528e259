"""With DATABASE_REPLICA_URL, the dashboard, the export and /stats read from the replica."""

from __future__ import annotations

import sqlite3

import pytest
from flask import g

from config import TestingConfig
from reception import create_app
from reception.core.replica import report_session
from reception.extensions import db
from tests.conftest import delete_test_data
from tests.monitoring.test_views import answered_appeals


@pytest.fixture
def replica_app(app, tmp_path, is_postgres):
    """A second app on the same primary, with a replica that is a copy taken earlier."""
    if is_postgres:
        pytest.skip("the copy is made with SQLite's backup API; the routing is the same")
    answered_appeals(3, publish_consent="y", subject="Broken lift")
    primary = db.engine.url.database
    replica = tmp_path / "replica.db"
    db.session.commit()
    with sqlite3.connect(primary) as source, sqlite3.connect(replica) as target:
        source.backup(target)
    # The primary forgets them: whatever the pages show now comes from the replica.
    delete_test_data()
    db.session.commit()
    attrs = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "DATABASE_REPLICA_URL": f"sqlite:///{replica}",
        "STATS_MIN_ANSWERED": 1,
    }
    other = create_app(type("ReplicaConfig", (TestingConfig,), attrs))
    other.test_client_class = app.test_client_class
    return other


@pytest.mark.commits
def test_stats_reads_the_replica(replica_app, app):
    html = replica_app.test_client().get("/stats").get_data(as_text=True)
    assert "Astana City Akimat" in html and "Broken lift" in html
    # The same page on the primary alone has nothing to show.
    app.config["STATS_MIN_ANSWERED"], saved = 1, app.config["STATS_MIN_ANSWERED"]
    try:
        assert "Broken lift" not in app.test_client().get("/stats").get_data(as_text=True)
    finally:
        app.config["STATS_MIN_ANSWERED"] = saved


@pytest.mark.commits
def test_the_export_reads_the_replica_and_writes_go_to_the_primary(replica_app):
    from reception.accounts.services import create_user
    from reception.core.types import utcnow
    from tests.factories import PASSWORD

    with replica_app.app_context():
        # A write: to the primary (the user logs in there).
        create_user(db.session, email="a@example.kz", password=PASSWORD, role="admin", now=utcnow())
        db.session.commit()
        assert report_session() is not db.session
        assert report_session().get_bind() is db.engines["replica"]
        assert g._report_session is report_session()
    client = replica_app.test_client()
    assert client.post("/login", data={"email": "a@example.kz", "password": PASSWORD})
    export = client.get("/monitoring/export.csv?date_from=2026-01-01&date_to=2026-12-31")
    assert export.status_code == 200
    assert export.get_data(as_text=True).count("RC-") == 3


def test_without_a_replica_reports_read_the_primary(app):
    assert report_session() is db.session
