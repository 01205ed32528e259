"""Heartbeats of the background processes, readiness checks, and the facts metrics read.

`/healthz` only says the process answers. `/readyz` asks the database, Redis (when the rate
limits use it) and the attachment store, and reports the heartbeats: the outbox worker beats
after every round, the deadline job after every run. A heartbeat older than its allowed time
is "late"; /readyz then says "degraded" (and answers 503 only with
RECEPTION_READYZ_FAIL_ON_LATE, since a stopped worker is no reason to take web hosts out of a
load balancer).
"""

from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from reception.domain.workflow import OPEN_STATUSES
from reception.ops.metrics import ScrapeFacts
from reception.ops.models import Heartbeat

OUTBOX = "outbox"
DEADLINES = "deadlines"


def beat(session: Session, name: str, *, now: datetime, detail: dict | None = None) -> None:
    """Record that `name` finished a round now (an upsert; the caller commits)."""
    values = {"name": name, "beat_at": now, "detail": detail or {}}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: read, then write
        row = session.get(Heartbeat, name)
        if row is None:
            session.add(Heartbeat(**values))
        else:
            row.beat_at, row.detail = now, values["detail"]
        return
    statement = insert(Heartbeat).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Heartbeat.name],
            set_={"beat_at": statement.excluded.beat_at, "detail": statement.excluded.detail},
        )
    )


def process_detail(**counts) -> dict:
    return {"host": socket.gethostname()[:64], "pid": os.getpid(), **counts}


@dataclass(frozen=True)
class HeartbeatLimits:
    outbox_seconds: int = 300
    deadline_hours: int = 26

    @classmethod
    def from_config(cls, config) -> HeartbeatLimits:
        return cls(
            outbox_seconds=int(config.get("RECEPTION_OUTBOX_HEARTBEAT_MAX_SECONDS", 300)),
            deadline_hours=int(config.get("RECEPTION_DEADLINE_JOB_MAX_HOURS", 26)),
        )

    def allowed(self) -> dict[str, timedelta]:
        return {
            OUTBOX: timedelta(seconds=self.outbox_seconds),
            DEADLINES: timedelta(hours=self.deadline_hours),
        }


def heartbeat_states(
    session: Session, *, now: datetime, limits: HeartbeatLimits
) -> dict[str, tuple[datetime | None, float, bool]]:
    """name -> (last beat or None, allowed seconds, late?) for every expected process."""
    beats = {row.name: row.beat_at for row in session.scalars(select(Heartbeat))}
    states = {}
    for name, allowed in limits.allowed().items():
        beat_at = beats.get(name)
        late = beat_at is None or now - beat_at > allowed
        states[name] = (beat_at, allowed.total_seconds(), late)
    return states


def read_facts(session: Session, *, now: datetime, today, limits: HeartbeatLimits) -> ScrapeFacts:
    """The database's part of a scrape: four small queries, each on an index."""
    from reception.directory.models import Authority
    from reception.notifications.models import OutboxMessage

    retrying = case((OutboxMessage.attempts > 0, 1), else_=0)
    pending, oldest, retried = session.execute(
        select(func.count(), func.min(OutboxMessage.created_at), func.sum(retrying)).where(
            OutboxMessage.status == "pending"
        )
    ).one()
    failed = session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "failed")
    )
    from reception.appeals.models import Appeal

    overdue = case((Appeal.is_overdue(today), 1), else_=0)
    appeals = [
        (code, int(opened), int(late or 0))
        for code, opened, late in session.execute(
            select(Authority.code, func.count(), func.sum(overdue))
            .join(Authority, Authority.id == Appeal.authority_id)
            .where(Appeal.status.in_(OPEN_STATUSES))
            .group_by(Authority.code)
            .order_by(Authority.code)
        )
    ]
    return ScrapeFacts(
        now=now,
        outbox_pending=int(pending),
        outbox_oldest=oldest,
        outbox_failed=int(failed or 0),
        outbox_retrying=int(retried or 0),
        heartbeats=heartbeat_states(session, now=now, limits=limits),
        appeals=appeals,
        today=today,
    )


# --- Readiness -------------------------------------------------------------------------


def check_database(session: Session) -> str | None:
    """None when the database answers, else a short reason (no connection details)."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as error:
        return type(error).__name__
    return None


def check_redis(uri: str) -> str | None:
    if not uri.startswith(("redis://", "rediss://")):
        return None
    try:
        import redis

        client = redis.Redis.from_url(uri, socket_timeout=1, socket_connect_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        return type(error).__name__
    return None


def check_upload_folder(folder: str) -> str | None:
    """The attachment store: the folder exists and a file can be written and removed."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-", delete=True) as probe:
            probe.write(b"ok")
            probe.flush()
    except OSError as error:
        return type(error).__name__
    return None
