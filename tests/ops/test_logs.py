"""Structured logs: JSON lines, a request id that follows a filing into the e-mail worker,
and none of the personal data a citizen typed."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.ops.logs import json_handler
from tests.factories import PASSWORD, appeal_data, make_user

# Everything distinctive a citizen types when filing, and what the receipt gives back.
TYPED = {
    "full_name": "Зарина Қуанышқызы Белгісізова",
    "iin": "900101300017",
    "email": "zarina.belgisiz@example.kz",
    "phone": "+7 705 913 27 64",
    "address": "Шымкент, Тауке хан 77, 15",
    "subject": "Жылу жоқ Тауке хан 77-де",
    "text": "Ерекше мәтін: ауладағы құбыр 4 қарашадан бері ағып жатыр qwzx-marker.",
}


@pytest.fixture
def captured():
    """Every record of every logger, formatted as production formats it."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    reception_logger = logging.getLogger("reception")
    old_reception = reception_logger.level
    # Alembic's logging set-up (run by the migrations of the test database) disables the
    # loggers that existed then; a production process never runs it.
    for name, logger in logging.Logger.manager.loggerDict.items():
        if name.startswith("reception") and isinstance(logger, logging.Logger):
            logger.disabled = False
    reception_logger.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        reception_logger.setLevel(old_reception)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def forms_of(value: str) -> set[str]:
    """The value as typed, and the pieces of it that would still identify the person."""
    forms = {value, value.lower(), value.replace(" ", "")}
    forms |= {part for part in re.split(r"[\s,.:]+", value) if len(part) >= 5}
    return forms


def test_a_filing_leaves_json_lines_without_any_personal_data(app, client, captured):
    answer = client.post("/appeals/new", data=appeal_data(**TYPED))
    assert answer.status_code == 302
    request_id = answer.headers["X-Request-ID"]
    receipt = client.get(answer.headers["Location"]).get_data(as_text=True)
    access_code = re.search(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", receipt).group(0)
    number = re.search(r"RC-\d{4}-\d{8}", receipt).group(0)
    # A failed log-in with the citizen's address, the worker's delivery, the daily job.
    assert (
        client.post("/login", data={"email": TYPED["email"], "password": "Wrong-1234"}).status_code
        == 401
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert runner.invoke(args=["deadlines", "remind"]).exit_code == 0

    records = lines(captured)  # each line is one JSON object (json.loads would fail otherwise)
    output = captured.getvalue()
    for name, value in {**TYPED, "access_code": access_code}.items():
        for form in forms_of(value):
            assert form not in output, f"{name} ({form!r}) is in the log"

    filing = [r for r in records if r.get("route") == "/appeals/new" and r.get("method") == "POST"]
    assert len(filing) == 1
    line = filing[0]
    assert line["request_id"] == request_id and line["status"] == 302
    assert line["logger"] == "reception.request" and line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float) and "time" in line and "pid" in line
    assert line["user_id"] is None and line["role"] is None
    assert number not in json.dumps(line)  # the route is the rule, not the address

    # The receipt's e-mail was queued by the filing and delivered in its trail.
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "appeal_registered")
    )
    assert message.request_id == request_id
    delivered = [r for r in records if r.get("message") == "e-mail delivered"]
    assert any(
        r["request_id"] == request_id and r["outbox_message_id"] == message.id for r in delivered
    )
    assert any(r.get("message") == "deadline job finished" for r in records)


def test_a_logged_in_request_names_the_user_by_id_and_role_only(client, captured):
    user = make_user(email="named.person@example.kz", full_name="Named Person")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    assert client.get("/my/appeals").status_code == 200
    records = [r for r in lines(captured) if r.get("route") == "/my/appeals"]
    assert records and records[-1]["user_id"] == user.id and records[-1]["role"] == "citizen"
    output = captured.getvalue()
    assert "named.person" not in output and "Named Person" not in output


def test_a_request_id_is_made_for_each_request_and_returned(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_a_clients_request_id_is_not_trusted_without_a_proxy(client):
    answer = client.get("/healthz", headers={"X-Request-ID": "forged-by-client"})
    assert answer.headers["X-Request-ID"] != "forged-by-client"


@pytest.mark.parametrize(
    "settings", [{"RECEPTION_PROXY_COUNT": 1}, {"RECEPTION_TRUST_REQUEST_ID": True}]
)
def test_a_trusted_proxys_request_id_is_kept(make_app, settings):
    behind_proxy = make_app(**settings).test_client()
    answer = behind_proxy.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.17"})
    assert answer.headers["X-Request-ID"] == "nginx-4f2a.17"
    # ... but only when it looks like an id: nothing that could forge a log line.
    for bad in ("a" * 65, 'x", "level": "ERROR', "tab\there", "-leading", ""):
        answer = behind_proxy.get("/healthz", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"]), bad


def test_production_logging_writes_json_to_stderr(capfd):
    from reception.ops.logs import configure_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO")
        logging.getLogger("reception.test").info("hello", extra={"count": 3})
        logging.getLogger("reception.test").debug("hidden")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1
    record = json.loads(err[0])
    assert record["message"] == "hello" and record["count"] == 3 and record["level"] == "INFO"
    assert record["request_id"].startswith("run-")


def test_the_common_line_is_the_one_the_library_would_write():
    """ScrubbingJsonFormatter writes a plain record directly; its line is the library's
    general path's line, key for key and byte for byte, whatever the extra fields hold."""
    from datetime import UTC, date, datetime

    from pythonjsonlogger.json import JsonFormatter

    from reception.ops.logs import json_formatter

    formatter = json_formatter()
    extras = [
        {"route": "/x/<n>", "status": 200, "duration_ms": 1.5, "user_id": None, "role": None},
        {"when": date(2026, 12, 5), "at": datetime(2026, 12, 5, 1, 2, tzinfo=UTC)},
        {"text": 'кавычки " и \\ обратная черта', "items": [1, "два", None], "_hidden": 1},
    ]
    for extra in extras:
        record = logging.LogRecord("reception.t", logging.INFO, __file__, 1, "m %s", ("é",), None)
        record.__dict__.update(extra)
        assert formatter.format(record) == JsonFormatter.format(formatter, record)
    # A database error's quoted data is hidden on both paths.
    message = 'invalid input value for enum status: "secret-value"\nDETAIL:  Key (email)=(a@b)'
    record = logging.LogRecord("reception.t", logging.ERROR, __file__, 1, message, (), None)
    line = json.loads(formatter.format(record))
    assert "secret-value" not in line["message"] and "a@b" not in line["message"]
