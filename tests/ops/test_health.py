"""/healthz says the process answers; /readyz says what it depends on answers, and whether
the background processes beat in time."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from reception.core.types import utcnow
from reception.extensions import db
from reception.ops import health
from reception.ops.models import Heartbeat


def beat_both(now=None):
    now = now or utcnow()
    health.beat(db.session, health.OUTBOX, now=now, detail={"sent": 0})
    health.beat(db.session, health.DEADLINES, now=now)
    db.session.commit()


def test_healthz_stays_cheap(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_ready_when_everything_answers_and_beats(client):
    beat_both()
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "attachments": "ok"}
    assert body["heartbeats"]["outbox"]["late"] is False
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_late_or_missing_heartbeat_is_shown_and_fails_only_when_configured(client, make_app):
    health.beat(db.session, health.OUTBOX, now=utcnow() - timedelta(minutes=10))
    db.session.commit()
    body = client.get("/readyz").get_json()
    assert body["status"] == "degraded"
    assert body["late"] == ["deadlines", "outbox"]  # one late, one never seen
    assert body["heartbeats"]["outbox"]["age_seconds"] >= 600
    assert body["heartbeats"]["deadlines"]["last"] is None
    strict = make_app(RECEPTION_READYZ_FAIL_ON_LATE=True).test_client()
    assert strict.get("/readyz").status_code == 503
    lenient = make_app(
        RECEPTION_OUTBOX_HEARTBEAT_MAX_SECONDS=3600, RECEPTION_DEADLINE_JOB_MAX_HOURS=26
    )
    health.beat(db.session, health.DEADLINES, now=utcnow() - timedelta(hours=25))
    db.session.commit()
    assert lenient.test_client().get("/readyz").get_json()["status"] == "ok"


def test_the_worker_and_the_daily_job_write_their_heartbeats(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert runner.invoke(args=["deadlines", "remind"]).exit_code == 0
    beats = {row.name: row for row in db.session.scalars(select(Heartbeat))}
    assert set(beats) == {"outbox", "deadlines"}
    assert beats["outbox"].detail["sent"] == 0 and "pid" in beats["outbox"].detail
    assert beats["deadlines"].detail["reminders"] == 0
    assert utcnow() - beats["deadlines"].beat_at < timedelta(minutes=1)
    # A second round updates the same row.
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert db.session.scalar(select(Heartbeat).where(Heartbeat.name == "outbox")) is not None


def test_a_database_that_does_not_answer(make_app, tmp_path):
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    answer = broken.test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "unavailable" and body["failed"] == ["database"]
    assert body["checks"]["database"] == "unavailable"
    assert "missing" not in answer.get_data(as_text=True)  # no paths or connection details


def test_an_attachment_store_that_cannot_be_written(make_app, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    answer = make_app(UPLOAD_FOLDER=str(blocker / "uploads")).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["failed"] == ["attachments"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_redis_that_does_not_answer(make_app):
    dead = f"redis://127.0.0.1:{_free_port()}/0"
    answer = make_app(RATELIMIT_STORAGE_URI=dead).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["failed"] == ["redis"]


def test_a_redis_that_answers(make_app):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    beat_both()
    answer = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0").test_client().get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json()["checks"]["redis"] == "ok"
