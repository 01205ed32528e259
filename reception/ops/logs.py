"""Structured logs: one JSON object per line, each carrying the request id of its trail.

Every process (the web workers, `flask outbox send`, `flask deadlines remind`) writes its log
lines to stderr through the standard `logging` module and python-json-logger's formatter, so
the library code that logs with `logging.getLogger(...)` or `app.logger` needs no change.

The trail: a web request gets an id (from a trusted proxy's `X-Request-ID`, or a new one);
every line logged while it runs carries it, it is returned in the response's `X-Request-ID`,
and an e-mail queued by the request keeps it (`outbox_messages.request_id`), so the worker's
delivery line for that e-mail carries it too. A command-line process has one id per run.

What a line may hold: ids, codes, routes (the URL rule, never the URL), counts, durations.
Never a name, IIN, e-mail, phone, access code, password, token or the text of an appeal.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

# The id of the request (or job run, or e-mail being delivered) this code is working for.
_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "reception_request_id", default=None
)
# Who is acting, once known: (user id, role).
_ACTOR: contextvars.ContextVar[tuple[int | None, str | None] | None] = contextvars.ContextVar(
    "reception_actor", default=None
)
_PROCESS_RUN_ID: dict[int, str] = {}

# What a proxy's X-Request-ID may look like: short, and nothing that could forge a log line.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def new_request_id() -> str:
    return os.urandom(16).hex()  # as uuid4().hex, without making a UUID


def process_run_id() -> str:
    """One id per process for work done outside a request (a job run, a worker's start)."""
    pid = os.getpid()
    if pid not in _PROCESS_RUN_ID:
        _PROCESS_RUN_ID.clear()  # a forked child gets its own
        _PROCESS_RUN_ID[pid] = "run-" + new_request_id()
    return _PROCESS_RUN_ID[pid]


def current_request_id() -> str:
    """The id of the request or e-mail at hand, or this process's run id."""
    return _REQUEST_ID.get() or process_run_id()


def set_request_id(value: str | None) -> contextvars.Token:
    return _REQUEST_ID.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _REQUEST_ID.reset(token)


def set_actor(user_id: int | None, role: str | None) -> None:
    _ACTOR.set((user_id, role))


def clear_context() -> None:
    _REQUEST_ID.set(None)
    _ACTOR.set(None)


def incoming_request_id(header: str | None, trusted: bool) -> str:
    """The proxy's id when it is trusted and well-formed, else a new one."""
    if trusted and header and REQUEST_ID_PATTERN.match(header):
        return header
    return new_request_id()


class ContextFilter(logging.Filter):
    """Add the request id, the process and the actor to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        actor = _ACTOR.get()
        if actor is not None:
            if not hasattr(record, "user_id"):
                record.user_id = actor[0]
            if not hasattr(record, "role"):
                record.role = actor[1]
        return True


# What a database error quotes of the data it refused: PostgreSQL's DETAIL line names the
# values ("Key (email)=(someone@example.kz) already exists", "Failing row contains (...)")
# and a bad value is quoted in the message itself; SQLAlchemy's hide_parameters does not
# reach either. Hidden in every line's message and exception text.
_DB_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
_DB_QUOTED = re.compile(
    r'((?:invalid input (?:syntax|value) for [^:\n]*|out of range[^:\n]*):\s*)"[^\n]*'
)
HIDDEN = "[hidden]"


def scrub(text: str) -> str:
    """The text with what a database error quotes of the data replaced."""
    if '"' not in text and "DETAIL:" not in text:
        return text  # neither pattern can match (most lines: "request")
    return _DB_QUOTED.sub(r"\1" + HIDDEN, _DB_DETAIL.sub(r"\1 " + HIDDEN, text))


class ScrubbingJsonFormatter(JsonFormatter):
    """python-json-logger's formatter, with database errors' quoted data hidden."""

    def formatException(self, ei):  # noqa: N802 (logging's name)
        return scrub(super().formatException(ei))

    def process_log_record(self, log_data):
        for name in ("message", "exc_info"):
            if isinstance(log_data.get(name), str):
                log_data[name] = scrub(log_data[name])
        return log_data

    def _common_shape(self) -> bool:
        """Whether this formatter was made as json_formatter makes it (the fast path's keys)."""
        shape = self.__dict__.get("_shape")
        if shape is None:
            shape = self.__dict__["_shape"] = (
                list(self._required_fields) == list(FIELDS)
                and self.json_serializer is json.dumps
                and self.json_encoder is not None
                and self.json_indent is None
                and not self.prefix
                and self.rename_fields == RENAMED
                and self.timestamp == "time"
                and not self.defaults
                and not self.static_fields
            )
        return shape

    def format(self, record: logging.LogRecord) -> str:
        """The common record (a text message, no exception or stack) made directly, with the
        same keys in the same order as the library's general path, which every other record
        takes: a request's line costs a third of what the general path costs."""
        if (
            record.exc_info
            or record.exc_text
            or record.stack_info
            or not isinstance(record.msg, str)
            or not self._common_shape()
        ):
            return super().format(record)
        record.message = record.getMessage()
        log_data = {
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.message),
            "pid": record.process,
        }
        skip = self._skip_fields
        for key, value in record.__dict__.items():
            if key not in skip and not key.startswith("_"):
                log_data[key] = value
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat()
        # One encoder, made once, with the library's own settings (json.dumps would make
        # a new one for every line).
        encoder = self.__dict__.get("_encoder")
        if encoder is None:
            encoder = self.__dict__["_encoder"] = self.json_encoder(
                default=self.json_default, ensure_ascii=self.json_ensure_ascii
            )
        return encoder.encode(log_data)


FIELDS = ("levelname", "name", "message", "process")
RENAMED = {"levelname": "level", "name": "logger", "process": "pid"}


def json_formatter() -> JsonFormatter:
    """Each record as one JSON object: time (ISO 8601, UTC), level, logger, message, pid,
    request_id, and the record's extra fields."""
    return ScrubbingJsonFormatter(
        list(FIELDS), rename_fields=RENAMED, timestamp="time", json_ensure_ascii=False
    )


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines (replacing other root handlers)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(json_handler())
    root.setLevel(getattr(logging, level, logging.INFO))
    # No line shows the calling function, the thread or the multiprocessing name, so the
    # records need not find them (the logging documentation's "Optimization" section).
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    # Flask's own handler would print the same record a second time, as text.
    from flask.logging import default_handler

    for name in ("reception", "flask.app"):
        logging.getLogger(name).removeHandler(default_handler)
    # Werkzeug's development-server access log prints raw URLs (with tokens in some): off.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
