"""Two application hosts, two e-mail workers and two deadline jobs on one PostgreSQL.

As docs/deployment.md describes it: every process is a real one (gunicorn serving wsgi:app,
`flask --app wsgi ...` for the workers), started with a production environment and pointed
at the test database, which the session fixture has already migrated.

- Citizens file through the HTML form on both hosts at once (each form fetched from one
  host and sent to the other, so sessions and CSRF tokens work across hosts); numbers are
  unique and gap-free and every appeal is whole.
- Two `outbox send` workers start together against a real SMTP server: each e-mail arrives
  exactly once and the outbox ends with every message sent. The SMTP server holds the first
  message until a second one arrives, which proves the two workers ran at the same time.
- Two `deadlines remind` jobs start together: the advisory lock lets exactly one work.

Rate limits stay on, as in production: the hosts stand behind a proxy
(RECEPTION_PROXY_COUNT=1), and each filing comes from its own citizen's address.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import select, text

from reception.accounts.secret_box import new_key
from reception.cli import DEADLINES_LOCK
from reception.core.types import utcnow
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.factories import make_appeal, make_staff
from tests.reliability._web import (
    assert_every_appeal_whole,
    csrf_token,
    form_fields,
    pdf_file,
    receipt_number,
)
from tests.reliability.test_mail_delivery import Inbox

# Other processes read and write the database: real commits.
pytestmark = pytest.mark.commits

PROJECT = Path(__file__).resolve().parents[2]
CITIZENS, FILINGS_EACH = 8, 8
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """Subprocesses of this test, each in its own process group; all are ended at teardown."""

    def __init__(self, app, folder: Path):
        self.folder = folder
        self.started: list[tuple[subprocess.Popen, Path]] = []
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("RECEPTION_", "MAIL_", "OUTBOX_", "TEST_"))
            and key not in ("DATABASE_URL", "SECRET_KEY", "UPLOAD_FOLDER", "FLASK_APP")
        } | {
            "RECEPTION_ENV": "production",
            "SECRET_KEY": "several-hosts-test-only",
            "RECEPTION_TOTP_KEYS": new_key(),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": str(folder / "uploads"),  # shared by the hosts, as on NFS
            "RECEPTION_BASE_URL": "http://127.0.0.1",
            "RECEPTION_PROXY_COUNT": "1",
            # Two workers per host on per-process limits: production refuses that unless told
            # (this test is about filings and e-mails, not limits; see test_rate_limits).
            "RECEPTION_ALLOW_PER_PROCESS_LIMITS": "1",
            "PYTHONUNBUFFERED": "1",
        }

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=PROJECT,
                env=self.env | env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log))
        return process

    def output(self, process: subprocess.Popen) -> str:
        log = next(log for started, log in self.started if started is process)
        return log.read_text(errors="replace")

    def finish(self, process: subprocess.Popen, timeout: float = START_TIMEOUT) -> str:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{process.args} did not finish:\n{self.output(process)}")
        assert process.returncode == 0, self.output(process)
        return self.output(process)

    def stop_all(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def processes(app, postgres_only, tmp_path):
    running = Processes(app, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def start_host(processes: Processes, name: str) -> str:
    port = free_port()
    host = processes.start(
        name,
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wsgi:app",
    )
    return f"http://127.0.0.1:{port}", host


def wait_until_healthy(processes: Processes, url: str, host: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if host.poll() is not None:
            pytest.fail(f"the host stopped:\n{processes.output(host)}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening, or its workers still starting
            pass
        time.sleep(0.1)
    pytest.fail(f"the host did not start:\n{processes.output(host)}")


class GatedInbox(Inbox):
    """An SMTP server's handler: keeps every message, and holds the first one until a second
    arrives while it waits, so that two senders are seen working at the same moment."""

    def __init__(self):
        super().__init__()
        self.overlapped = False
        self._waiting: asyncio.Event | None = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope.content.decode("utf-8", "replace"))
        if not self.overlapped:
            if self._waiting is None:
                self._waiting = asyncio.Event()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._waiting.wait(), timeout=20)
            else:
                self.overlapped = True
                self._waiting.set()
        return "250 OK"


def test_two_hosts_file_and_two_workers_send_each_email_once(processes, tmp_path):
    hosts = [start_host(processes, "host-a"), start_host(processes, "host-b")]
    for url, host in hosts:
        wait_until_healthy(processes, url, host)
    urls = [url for url, _ in hosts]

    def citizen(c: int) -> list[tuple[str, str | None, int]]:
        session = requests.Session()
        session.headers["Accept-Language"] = "en"
        told = []
        for n in range(FILINGS_EACH):
            # Each filing from its own address, as nginx would report it.
            session.headers["X-Forwarded-For"] = f"10.1.{c}.{n + 1}"
            form_host, send_host = urls[(c + n) % 2], urls[(c + n + 1) % 2]
            form = session.get(f"{form_host}/appeals/new", timeout=30)
            assert form.status_code == 200
            subject = f"citizen {c} filing {n}"
            answer = session.post(
                f"{send_host}/appeals/new",
                data=form_fields(csrf_token(form.text), subject=subject),
                files=pdf_file(),
                allow_redirects=False,
                timeout=30,
            )
            told.append((subject, receipt_number(answer.headers.get("Location", "")), answer))
        return told

    with ThreadPoolExecutor(CITIZENS) as pool:
        told = [item for result in pool.map(citizen, range(CITIZENS)) for item in result]

    assert all(answer.status_code == 302 for _, _, answer in told), [
        (subject, answer.status_code, answer.text[:500])
        for subject, _, answer in told
        if answer.status_code != 302
    ]
    numbers = [number for _, number, _ in told]
    assert len(set(numbers)) == CITIZENS * FILINGS_EACH
    db.session.expire_all()
    appeals = assert_every_appeal_whole(db.session, tmp_path / "uploads")
    assert {a.subject: a.number for a in appeals} == {s: n for s, n, _ in told}

    # Two e-mail workers at once against a real SMTP server.
    inbox = GatedInbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        mail = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_TRANSPORT": "smtp",
            "MAIL_DEFAULT_SENDER": "Reception <no-reply@reception.test>",
            "OUTBOX_BATCH_SIZE": "10",
        }
        workers = [
            processes.start(f"outbox-{i}", "flask", "--app", "wsgi", "outbox", "send", **mail)
            for i in range(2)
        ]
        reports = [processes.finish(worker) for worker in workers]
    finally:
        controller.stop()

    sent_by = [sum(int(n) for n in re.findall(r"outbox: (\d+) sent", r)) for r in reports]
    assert inbox.overlapped, "the two workers never sent at the same time"
    assert all(sent > 0 for sent in sent_by), sent_by
    assert sum(sent_by) == len(appeals)
    ids = inbox.message_ids()
    db.session.expire_all()
    outbox = db.session.scalars(select(OutboxMessage)).all()
    assert len(ids) == len(set(ids)) == len(outbox) == len(appeals)
    assert set(ids) == {message.message_id for message in outbox}
    assert {message.status for message in outbox} == {"sent"}


def test_two_deadline_jobs_at_once_one_does_the_work(processes):
    now = utcnow()
    make_staff(role="head", email="head@example.kz")
    for _ in range(3):
        make_appeal(now - timedelta(days=60))  # a 15-working-day term, long missed

    # Hold the job that takes the lock inside its work: the first e-mail it writes waits
    # for this table lock. The other job meanwhile finds the advisory lock taken.
    with db.engine.connect() as blocker:
        blocker.execute(text("LOCK TABLE outbox_messages IN EXCLUSIVE MODE"))
        jobs = [
            processes.start(f"deadlines-{i}", "flask", "--app", "wsgi", "deadlines", "remind")
            for i in range(2)
        ]
        deadline = time.monotonic() + START_TIMEOUT
        while all(job.poll() is None for job in jobs) and time.monotonic() < deadline:
            time.sleep(0.05)
        finished = [job for job in jobs if job.poll() is not None]
        assert len(finished) == 1, [processes.output(job) for job in jobs]
        (stepped_aside,) = finished
        (working,) = [job for job in jobs if job is not stepped_aside]
        # The one at work holds the advisory lock, in the middle of its transaction.
        assert not blocker.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": DEADLINES_LOCK}
        ).scalar()
        blocker.rollback()

    assert "another host is running the job now" in processes.finish(stepped_aside)
    assert "deadlines: 0 reminders, 3 overdue alerts" in processes.finish(working)
    db.session.expire_all()
    alerts = db.session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.template == "overdue_alert")
    ).all()
    assert len(alerts) == len(set(alerts)) == 3
