"""The database goes away under load and comes back (PostgreSQL, through a TCP proxy).

A real server of the application talks to PostgreSQL through `_proxy.PgProxy`. While
citizens file appeals through the HTML form (with its CSRF token and an attachment), a
logged-in citizen reads her appeals, a staff system reads the JSON API and a monitor polls
/healthz, the proxy resets every connection mid-stream and refuses new ones, then lets them
through again. The application is never restarted.

What must hold:
- while the database is away, every answer is the clean 503 page in the reader's language
  (JSON for the API and /healthz): never a 500, never a stack trace;
- before and after, everything works; after the return without a restart;
- no appeal is half-written: each has its register event, its receipt e-mail and its files,
  numbers have no gaps, every filing answered with a receipt exists, and a filing answered
  with 503 does not, unless the connection died after its COMMIT reached the server (the
  proxy counts those; the appeal is then whole and its e-mail tells the citizen the number).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal
from reception.core.types import utcnow
from reception.extensions import db
from tests.factories import PASSWORD, make_staff, make_user
from tests.reliability._proxy import PgProxy
from tests.reliability._web import (
    assert_every_appeal_whole,
    csrf_token,
    form_fields,
    pdf_file,
    receipt_number,
)

# A server in a thread and a database going away: real commits.
pytestmark = pytest.mark.commits

HEALTHY, DOWN, BACK = 1.5, 2.5, 2.5  # seconds in each phase
TIMEOUT = 15

UNAVAILABLE = {
    "en": "The service is temporarily unavailable",
    "ru": "Сервис временно недоступен",
    "kk": "Қызмет уақытша қолжетімсіз",
}
# What a clean page never shows.
LEAKS = ("Traceback", "sqlalchemy", "psycopg", "OperationalError", "Internal Server Error")
# What each kind of call answers when all is well.
SUCCESS = {"form": 200, "file": 302, "receipt": 200, "mine": 200, "api": 200, "health": 200}


@dataclass
class Call:
    who: str
    kind: str
    language: str
    started: float
    ended: float = 0.0
    status: int | None = None
    body: str = ""
    location: str = ""
    subject: str | None = None
    error: str | None = None


@dataclass
class Timeline:
    cut_started: float = float("inf")
    cut_done: float = float("inf")
    restore_started: float = float("inf")
    restore_done: float = float("inf")
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def phase(self, call: Call) -> str:
        if call.ended < self.cut_started:
            return "up"
        if call.started >= self.cut_done and call.ended <= self.restore_started:
            return "down"
        if call.started >= self.restore_done:
            return "back"
        return "changing"

    def record(self, who, kind, language, send, subject=None) -> Call:
        call = Call(who, kind, language, time.monotonic(), subject=subject)
        try:
            response = send()
        except requests.RequestException as error:
            call.error = repr(error)
        else:
            call.status = response.status_code
            call.body = response.text
            call.location = response.headers.get("Location", "")
        call.ended = time.monotonic()
        with self.lock:
            self.calls.append(call)
        return call


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def proxy(app, postgres_only):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    running = PgProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield running
    running.close()


@pytest.fixture
def server(app, make_app, proxy, tmp_path):
    """The application served by a real threaded server, its database behind the proxy."""
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    through_proxy = database.set(
        host="127.0.0.1",
        port=proxy.port,
        query={**database.query, "sslmode": "disable", "gssencmode": "disable"},
    )
    web = make_app(
        SQLALCHEMY_DATABASE_URI=through_proxy.render_as_string(hide_password=False),
        TESTING=False,  # errors are handled as in production
        WTF_CSRF_ENABLED=True,
        RECEPTION_BASE_URL="http://127.0.0.1",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
    )
    httpd = make_server("127.0.0.1", 0, web, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", web
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        with web.app_context():
            db.engine.dispose()


def browser(language: str) -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = language
    return session


def check_clean_503(call: Call) -> None:
    where = f"{call.who} {call.kind}"
    if call.kind == "health":
        assert json.loads(call.body) == {"status": "error", "database": "unavailable"}, where
    elif call.kind == "api":
        assert json.loads(call.body)["error"]["code"] == "unavailable", where
    else:
        assert f'<html lang="{call.language}">' in call.body, where
        assert UNAVAILABLE[call.language] in call.body, where


def test_database_goes_away_under_load_and_comes_back(server, proxy):
    base, web = server
    timeline = Timeline()
    stop = threading.Event()

    citizen = make_user(email="outage.citizen@example.kz", full_name="Айгерім Сапарова")
    official = make_staff()
    _, api_secret = create_api_key(db.session, name="outage", user=official, now=utcnow())
    db.session.commit()
    del citizen

    def file_one(session, who, language, token, n):
        subject = f"{who} filing {n}"
        filing = timeline.record(
            who,
            "file",
            language,
            lambda: session.post(
                f"{base}/appeals/new",
                data=form_fields(token, subject=subject, email=f"{who}@example.kz"),
                files=pdf_file(),
                allow_redirects=False,
                timeout=TIMEOUT,
            ),
            subject=subject,
        )
        if filing.status == 302:
            timeline.record(
                who,
                "receipt",
                language,
                lambda: session.get(base + filing.location, timeout=TIMEOUT),
            )

    def filer(who: str, language: str, logged_in: bool = False):
        session = browser(language)
        if logged_in:
            login_page = session.get(f"{base}/login", timeout=TIMEOUT)
            answer = session.post(
                f"{base}/login",
                data={
                    "email": "outage.citizen@example.kz",
                    "password": PASSWORD,
                    "csrf_token": csrf_token(login_page.text),
                },
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            assert answer.status_code == 302, answer.text
        token = None
        n = 0
        while not stop.is_set():
            if token is None or n % 3 == 0:
                form = timeline.record(
                    who,
                    "form",
                    language,
                    lambda: session.get(f"{base}/appeals/new", timeout=TIMEOUT),
                )
                if form.status == 200:
                    token = csrf_token(form.body)
            if logged_in:
                timeline.record(
                    who,
                    "mine",
                    language,
                    lambda: session.get(f"{base}/my/appeals", timeout=TIMEOUT),
                )
            if token:
                file_one(session, who, language, token, n)
            n += 1
            time.sleep(0.01)

    def staff_system():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {api_secret}"
        while not stop.is_set():
            timeline.record(
                "staff system",
                "api",
                "en",
                lambda: session.get(f"{base}/api/v1/appeals", timeout=TIMEOUT),
            )
            time.sleep(0.05)

    def monitor():
        session = requests.Session()
        while not stop.is_set():
            timeline.record(
                "monitor", "health", "en", lambda: session.get(f"{base}/healthz", timeout=TIMEOUT)
            )
            time.sleep(0.05)

    actors = [
        threading.Thread(target=filer, args=("filer-en", "en")),
        threading.Thread(target=filer, args=("filer-ru", "ru")),
        threading.Thread(target=filer, args=("filer-kk", "kk")),
        threading.Thread(target=filer, args=("filer-en2", "en")),
        threading.Thread(target=filer, args=("citizen", "en", True)),
        threading.Thread(target=staff_system),
        threading.Thread(target=monitor),
    ]
    started = time.monotonic()
    for actor in actors:
        actor.start()
    try:
        time.sleep(HEALTHY)
        timeline.cut_started = time.monotonic()
        proxy.cut()
        timeline.cut_done = time.monotonic()
        time.sleep(0.2)
        for language in ("ru", "kk"):  # a reader who never saw the form before
            timeline.record(
                f"visitor-{language}",
                "form",
                language,
                lambda language=language: browser(language).get(
                    f"{base}/appeals/new", timeout=TIMEOUT
                ),
            )
        time.sleep(DOWN - 0.2)
        timeline.restore_started = time.monotonic()
        proxy.restore()
        timeline.restore_done = time.monotonic()
        time.sleep(BACK)
    finally:
        stop.set()
        for actor in actors:
            actor.join(timeout=TIMEOUT)
    elapsed = time.monotonic() - started

    calls = timeline.calls
    assert [c for c in calls if c.error] == [], "a request got no answer at all"
    for call in calls:
        where = f"{call.who} {call.kind} {call.status} ({timeline.phase(call)})"
        assert call.status in (SUCCESS[call.kind], 503), where + "\n" + call.body[:2000]
        for leak in LEAKS:
            assert leak not in call.body, where
        if call.status == 503:
            check_clean_503(call)
        phase = timeline.phase(call)
        if phase in ("up", "back"):
            assert call.status == SUCCESS[call.kind], where + "\n" + call.body[:2000]
        elif phase == "down":
            assert call.status == 503, where

    by_phase: dict[tuple[str, str, int], int] = {}
    for call in calls:
        key = (timeline.phase(call), call.kind, call.status)
        by_phase[key] = by_phase.get(key, 0) + 1
    # The scenario happened: work before, refusals during, work again after.
    for needed in (
        ("up", "file", 302),
        ("down", "file", 503),
        ("back", "file", 302),
        ("down", "mine", 503),
        ("back", "mine", 200),
        ("down", "api", 503),
        ("back", "api", 200),
        ("down", "health", 503),
        ("back", "health", 200),
    ):
        assert by_phase.get(needed), f"no {needed} in {by_phase}"
    for language in ("ru", "kk"):
        assert any(
            c.language == language and c.status == 503 and timeline.phase(c) == "down"
            for c in calls
        )

    # Nothing half-written, and the database agrees with what the users were told.
    db.session.expire_all()
    appeals = assert_every_appeal_whole(db.session, web.config["UPLOAD_FOLDER"])
    stored = {a.subject: a.number for a in appeals}
    filings = [c for c in calls if c.kind == "file"]
    for filing in filings:
        if filing.status == 302:
            assert stored.get(filing.subject) == receipt_number(filing.location), filing.subject
    refused_yet_stored = [c.subject for c in filings if c.status == 503 and c.subject in stored]
    assert len(refused_yet_stored) <= proxy.unknown_commits, refused_yet_stored
    assert len(stored) == sum(f.status == 302 for f in filings) + len(refused_yet_stored)
    assert elapsed < 20


def test_commit_whose_answer_is_lost_leaves_a_whole_appeal(server, proxy):
    """The worst moment: the server commits, and the connection dies before saying so."""
    base, web = server
    session = browser("en")
    token = csrf_token(session.get(f"{base}/appeals/new", timeout=TIMEOUT).text)
    proxy.cut_after_next_commit()
    lost = session.post(
        f"{base}/appeals/new",
        data=form_fields(token, subject="Committed, answer lost"),
        files=pdf_file(),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert proxy.commit_cut.is_set()
    assert lost.status_code == 503
    check_clean_503(Call("citizen", "file", "en", 0, status=503, body=lost.text))

    # The citizen was told to try again; the appeal is nonetheless registered, whole, with
    # its file on disk and the receipt e-mail that tells the citizen its number.
    db.session.expire_all()
    (appeal,) = assert_every_appeal_whole(db.session, web.config["UPLOAD_FOLDER"])
    assert appeal.subject == "Committed, answer lost"
    assert len(appeal.attachments) == 1
    assert (Path(web.config["UPLOAD_FOLDER"]) / appeal.attachments[0].stored_name).is_file()

    again = session.post(
        f"{base}/appeals/new",
        data=form_fields(token, subject="Filed again"),
        files=pdf_file(),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert len(db.session.scalars(select(Appeal)).all()) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/my/appeals/RC-2026-00000001",
        "/open311/v2/requests/RC-2026-00000001.json",
        "/open311/v2/requests/RC-2026-00000001.xml",
    ],
)
def test_the_reads_on_the_driver_answer_503_when_the_database_is_away(make_app, path):
    """The kept pages' keys are read on the driver (core.database.KeyRead); with the
    database away the answer is the same clean 503 as anywhere else, never a 500."""
    away = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none")
    answer = away.test_client().get(path, headers={"Accept-Language": "en"})
    assert answer.status_code == 503
    assert "Traceback" not in answer.get_data(as_text=True)
