"""A real streaming replica: reports read from the hot standby, writes go to the primary.

A small cluster of its own is made for the test (initdb on a free port in a temporary
folder), copied with pg_basebackup into a hot standby that streams from it
(primary_conninfo), and both are stopped and removed at the end: nothing of any other
PostgreSQL server is copied. Replay on the standby is paused while the primary gets more
appeals, so a page that shows the older figures read the replica. Skipped unless the server's
programs (initdb, pg_ctl, pg_basebackup) are installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from config import TestingConfig
from reception import create_app
from reception.extensions import db

# Needs PostgreSQL like the tests marked so (skipped on SQLite, failing in CI without it).
pytestmark = pytest.mark.usefixtures("postgres_only")

PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup")


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """Run the server's programs, as the postgres account when the tests run as root."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                pytest.skip("running as root without runuser: the server refuses root")
            self.as_user = [runuser, "-u", "postgres", "--"]
            shutil.chown(folder, "postgres")

    def run(self, name: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, _program(name), *args],
            check=True,
            capture_output=True,
            timeout=60,
            cwd=self.folder,
        )

    def start(self, data: Path, port: int) -> None:
        options = f"-p {port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(data), "-w", "-t", "30", "-o", options, "-l", f"{data}.log",
                 "start")  # fmt: skip

    def stop(self, data: Path) -> None:
        if (data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")


@pytest.fixture
def streaming_pair():
    if any(_program(name) is None for name in PROGRAMS):
        pytest.skip("the PostgreSQL server programs are not installed")
    folder = Path(tempfile.mkdtemp(prefix="rr-"))  # short: the socket's path has a limit
    cluster = Cluster(folder)
    primary, standby = folder / "primary", folder / "standby"
    primary_port, standby_port = _free_port(), _free_port()
    try:
        cluster.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        cluster.start(primary, primary_port)
        base = f"postgresql+psycopg://postgres@127.0.0.1:{primary_port}"
        with create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text("CREATE DATABASE reception"))
        cluster.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U",
                    "postgres", "-D", str(standby), "-R", "-X", "stream", "--checkpoint=fast",
                    "--no-sync")  # fmt: skip
        cluster.start(standby, standby_port)
        yield (
            f"{base}/reception",
            f"postgresql+psycopg://postgres@127.0.0.1:{standby_port}/reception",
        )
    finally:
        for data in (standby, primary):
            with contextlib.suppress(subprocess.SubprocessError):
                cluster.stop(data)
        shutil.rmtree(folder, ignore_errors=True)


def _caught_up(primary, standby, timeout: float = 15) -> None:
    with primary.connect() as p:
        target = p.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    deadline = time.monotonic() + timeout
    with standby.connect() as s:
        while time.monotonic() < deadline:
            done = s.execute(
                text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": target}
            ).scalar_one()
            if done:
                return
            time.sleep(0.1)
    raise AssertionError("the standby did not catch up")


def test_reports_read_the_streaming_replica_and_writes_go_to_the_primary(streaming_pair, tmp_path):
    from flask_migrate import upgrade

    from reception.accounts.services import create_user
    from reception.core.replica import report_session
    from reception.core.types import utcnow
    from reception.directory.seed import seed_reference
    from tests.conftest import IsolatedClient
    from tests.factories import PASSWORD
    from tests.monitoring.test_views import answered_appeals

    primary_url, standby_url = streaming_pair
    attrs = {
        "SQLALCHEMY_DATABASE_URI": primary_url,
        "DATABASE_REPLICA_URL": standby_url,
        "UPLOAD_FOLDER": str(tmp_path),
        "STATS_MIN_ANSWERED": 1,
    }
    app = create_app(type("StreamingReplicaConfig", (TestingConfig,), attrs))
    app.test_client_class = IsolatedClient
    primary, standby = create_engine(primary_url), create_engine(standby_url)
    try:
        with app.app_context():
            upgrade()
            seed_reference(db.session)
            db.session.commit()
            answered_appeals(2, publish_consent="y", subject="Broken lift")
            create_user(
                db.session, email="a@example.kz", password=PASSWORD, role="admin", now=utcnow()
            )
            db.session.commit()
            _caught_up(primary, standby)
            # The two sessions are on the two servers.
            assert report_session().execute(text("SELECT pg_is_in_recovery()")).scalar_one()
            assert not db.session.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
            with standby.connect() as s:
                s.execute(text("SELECT pg_wal_replay_pause()"))
            # The primary gets one more; the paused standby does not see it.
            answered_appeals(1, publish_consent="y", subject="Broken lift")

        client = app.test_client()
        # A log-in writes (its session row, the audit): a hot standby would refuse it.
        login = client.post("/login", data={"email": "a@example.kz", "password": PASSWORD})
        assert login.status_code == 302
        export = client.get("/monitoring/export.csv?date_from=2026-01-01&date_to=2026-12-31")
        assert export.status_code == 200
        assert export.get_data(as_text=True).count("RC-") == 2  # the replica's two
        dashboard = client.get("/monitoring/")
        assert dashboard.status_code == 200
        with app.app_context():
            assert db.session.execute(text("SELECT count(*) FROM appeals")).scalar_one() == 3
            assert report_session().execute(text("SELECT count(*) FROM appeals")).scalar_one() == 2

        with standby.connect() as s:
            s.execute(text("SELECT pg_wal_replay_resume()"))
        _caught_up(primary, standby)
        export = client.get("/monitoring/export.csv?date_from=2026-01-01&date_to=2026-12-31")
        assert export.get_data(as_text=True).count("RC-") == 3
        assert "Broken lift" in client.get("/stats").get_data(as_text=True)
    finally:
        primary.dispose()
        standby.dispose()
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
