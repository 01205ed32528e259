"""Settings for Reception: every one declared once, read from the environment once.

`SETTINGS` below is the one list of what can be set: each `Setting` gives the `app.config` key
the code reads, the environment variable that sets it (if any), its type, its default (per
environment where development, testing and production differ) and what it means. The classes
`DevelopmentConfig`, `TestingConfig` and `ProductionConfig` are built from it when this module
is imported, so the environment is parsed once, at start-up. A value that does not parse (a
word where a number belongs, a bad URL, an unknown time zone) is not taken silently: every such
value is named in one `SettingsError` when the application is created, before it serves.

Every legal number (terms, cut-off, limits) lives here with Kazakhstan's value as the default,
so that another jurisdiction is a settings change, not a code change (docs/domain.md).
`flask --app wsgi config table` prints the environment variables as the README's table
(tests/core/test_settings_registry.py keeps the two equal).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

ENVIRONMENTS = ("development", "testing", "production")


class SettingsError(RuntimeError):
    """A setting is missing or does not parse: the application does not start."""


# --- types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How a setting's text in the environment becomes its value."""

    name: str  # shown in the table
    parse: Callable[[str], Any]  # raises ValueError saying what was expected
    # An empty variable counts as unset (numbers, switches, URLs); for plain text and lists
    # an empty value is a value (RECEPTION_2FA_ROLES= asks no role for a second factor).
    empty_is_default: bool = True
    secret: bool = False  # never echoed in an error message


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected 1, true, yes or on (or 0, false, no, off)")


def _int_kind(unit: str = "", minimum: int = 0, maximum: int | None = None) -> Kind:
    def parse(text: str) -> int:
        cleaned = text.strip()
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            raise ValueError("expected a whole number" + (f" of {unit}" if unit else ""))
        value = int(cleaned)
        if value < minimum or (maximum is not None and value > maximum):
            top = f" and {maximum}" if maximum is not None else ""
            raise ValueError(f"expected a number {'between' if top else 'from'} {minimum}{top}")
        return value

    return Kind(f"int ({unit})" if unit else "int", parse)


def _float_kind(minimum: float, maximum: float) -> Kind:
    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError(f"expected a number from {minimum:g} to {maximum:g}") from None
        if not minimum <= value <= maximum:
            raise ValueError(f"expected a number from {minimum:g} to {maximum:g}")
        return value

    return Kind(f"float {minimum:g}-{maximum:g}", parse)


def _parse_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _choice_kind(*choices: str, upper: bool = False) -> Kind:
    def parse(text: str) -> str:
        value = text.strip().upper() if upper else text.strip()
        if value not in choices:
            raise ValueError("expected one of " + ", ".join(choices))
        return value

    return Kind("one of " + ", ".join(choices), parse)


def _url_kind(*schemes: str, strip_slash: bool = False) -> Kind:
    def parse(text: str) -> str:
        value = text.strip()
        scheme, sep, rest = value.partition("://")
        if not sep or scheme.lower() not in schemes or (scheme.startswith("http") and not rest):
            starts = " or ".join(f"{s}://" for s in schemes)
            raise ValueError(f"expected a URL starting with {starts}")
        return value.rstrip("/") if strip_slash else value

    return Kind("url", parse)


def _database_url_from(url: str) -> str:
    # Hosting platforms hand out "postgres://" URLs; SQLAlchemy needs the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _parse_database_url(text: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = _database_url_from(text.strip())
    try:
        make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(
            "expected an SQLAlchemy database URL such as postgresql://user@host/db"
        ) from None
    return url


def _parse_rate_limit(text: str) -> str:
    from limits import parse_many

    try:
        parse_many(text)
    except ValueError:
        raise ValueError('expected rate limits such as "300 per minute; 5000 per hour"') from None
    return text


def _parse_storage_uri(text: str) -> str:
    from limits.storage import SCHEMES

    value = text.strip()
    scheme, sep, _ = value.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise ValueError("expected a rate-limit store such as memory:// or redis://host:6379/0")
    return value


def _parse_clock_time(text: str) -> str:
    value = text.strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError("expected a time of day as HH:MM")
    return value


def _parse_time_zone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = text.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone such as Asia/Almaty") from None
    return value


BOOL = Kind("bool", _parse_bool)
INT = _int_kind()
TEXT = Kind("text", lambda text: text, empty_is_default=False)
SECRET = Kind("secret", lambda text: text, secret=True)
LIST = Kind("list", _parse_list, empty_is_default=False)
SECRET_LIST = Kind("list", _parse_list, empty_is_default=False, secret=True)
# May hold a password: a bad one is named, never echoed.
DATABASE_URL = Kind("database url", _parse_database_url, secret=True)
RATE_LIMIT = Kind("rate limit", _parse_rate_limit)
CLOCK_TIME = Kind("HH:MM", _parse_clock_time)
TIME_ZONE = Kind("time zone", _parse_time_zone)
PATH = Kind("path", lambda text: text, empty_is_default=False)
SECONDS, MINUTES, HOURS = _int_kind("seconds"), _int_kind("minutes"), _int_kind("hours")
DAYS, MONTHS = _int_kind("days"), _int_kind("months")
# Set in config.py only (no environment variable): the type is only shown.
FIXED_DICT, FIXED_TUPLE = Kind("dict", str), Kind("tuple", str)
DURATION = Kind("duration", str)
FIXED_INT_OR_NONE = Kind("int or none", str)


# --- declarations -----------------------------------------------------------------------

_INHERIT = object()
# Not set by Reception: the framework's own default applies (DEBUG off, CSRF on, ...).
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


@dataclass(frozen=True)
class Fixed:
    """In this environment the value is this; the environment variable is not read."""

    value: Any


@dataclass(frozen=True)
class FromEnv:
    """In this environment the value is read from another variable, with this default."""

    env: str
    default: Any


@dataclass(frozen=True)
class Setting:
    key: str | None  # the app.config key; None: a variable the processes read directly
    env: str | None  # the environment variable; None: set in config.py (or a subclass) only
    kind: Kind
    default: Any
    meaning: str  # one sentence
    development: Any = _INHERIT  # a default, Fixed(value) or FromEnv(variable, default)
    testing: Any = _INHERIT
    production: Any = _INHERIT
    required_in: tuple[str, ...] = ()  # environments that refuse to start without it
    shown: str | None = None  # the default as the table shows it, when the value is a path
    derived: bool = False  # computed at start-up from other settings; listed, not set here

    def source(self, environment: str) -> tuple[str | None, Any]:
        """(the variable read, the default) in one environment."""
        spec = getattr(self, environment, _INHERIT) if environment in ENVIRONMENTS else _INHERIT
        if spec is _INHERIT:
            return self.env, self.default
        if isinstance(spec, Fixed):
            return None, spec.value
        if isinstance(spec, FromEnv):
            return spec.env, spec.default
        return self.env, spec

    def variables(self) -> tuple[str, ...]:
        names = [self.env] + [self.source(e)[0] for e in ENVIRONMENTS]
        return tuple(dict.fromkeys(name for name in names if name))


def _s(key, env, kind, default, meaning, **more) -> Setting:
    return Setting(key, env, kind, default, meaning, **more)


_MB = 1024 * 1024
_MAX_ATTACHMENTS = 5

# fmt: off
SETTINGS: tuple[Setting, ...] = (
    # -- Environment and start-up
    _s(None, "RECEPTION_ENV", _choice_kind(*ENVIRONMENTS), "production",
       "picks `development`, `testing` or `production` (`make run` uses `development`)."),
    _s("ENV_NAME", None, TEXT, "base", "the environment the settings were made for.",
       development=Fixed("development"), testing=Fixed("testing"), production=Fixed("production")),
    _s("SECRET_KEY", "SECRET_KEY", SECRET, None,
       "signs sessions, CSRF tokens and links; the same on every host.",
       development="development-only-not-secret", testing=Fixed("testing-only-not-secret"),
       required_in=("production",)),
    _s("SQLALCHEMY_DATABASE_URI", "DATABASE_URL", DATABASE_URL,
       f"sqlite:///{INSTANCE_DIR / 'reception.db'}",
       "the SQLAlchemy URL of the database (`postgresql://user:pass@host/db`).",
       testing=FromEnv("TEST_DATABASE_URL", "sqlite://"), required_in=("production",),
       shown="SQLite file `instance/reception.db`"),
    _s("DATABASE_REPLICA_URL", "DATABASE_REPLICA_URL", DATABASE_URL, "",
       "a streaming replica that the dashboard, the CSV export and `/stats` read from; "
       "empty: everything reads the primary (docs/deployment.md).", testing=Fixed("")),
    _s("SQLALCHEMY_ENGINE_OPTIONS", None, FIXED_DICT,
       {"pool_pre_ping": True, "hide_parameters": True},
       "engine options: a dropped connection is replaced, and no typed value (a name, an IIN) "
       "reaches a log through an SQL error."),
    _s("SQLALCHEMY_BINDS", None, FIXED_DICT, {},
       "the `replica` bind, added at start-up when DATABASE_REPLICA_URL is set.", derived=True),
    _s("RECEPTION_BASE_URL", "RECEPTION_BASE_URL", _url_kind("http", "https", strip_slash=True),
       "http://127.0.0.1:5000",
       "public address used in e-mail links; `https://` makes cookies Secure and adds HSTS.",
       testing=Fixed("https://reception.test")),
    _s("TESTING", None, BOOL, UNSET, "Flask's test mode.", testing=Fixed(True)),
    _s("DEBUG", None, BOOL, UNSET,
       "Flask's debug mode: off in development too, so that error pages never show stack "
       "traces.", development=Fixed(False)),
    _s("DEMO_DATA_ALLOWED", None, BOOL, False, "whether `flask seed demo` may add demo data.",
       development=Fixed(True), testing=Fixed(True),
       production=FromEnv("RECEPTION_ALLOW_DEMO", False)),
    # -- Sessions and forms
    _s("SESSION_COOKIE_HTTPONLY", None, BOOL, True,
       "the session cookie is not readable by scripts."),
    _s("SESSION_COOKIE_SAMESITE", None, TEXT, "Lax",
       "SameSite=Lax stops cross-site POSTs carrying the session cookie."),
    _s("REMEMBER_COOKIE_HTTPONLY", None, BOOL, True,
       "the remember-me cookie is not readable by scripts."),
    _s("REMEMBER_COOKIE_SAMESITE", None, TEXT, "Lax",
       "SameSite=Lax for the remember-me cookie too."),
    _s("SESSION_COOKIE_SECURE", None, BOOL, False,
       "cookies only over https: turned on at start-up when RECEPTION_BASE_URL is https.",
       derived=True),
    _s("REMEMBER_COOKIE_SECURE", None, BOOL, False,
       "the same for the remember-me cookie.", derived=True),
    _s("PERMANENT_SESSION_LIFETIME", None, DURATION, timedelta(hours=8),
       "lifetime of Flask's signed session cookie."),
    _s("SESSION_ABSOLUTE_HOURS", "RECEPTION_SESSION_HOURS", HOURS, 12,
       "absolute lifetime of a log-in; requests never extend it."),
    _s("SESSION_IDLE_MINUTES", "RECEPTION_SESSION_IDLE_MINUTES", MINUTES, 120,
       "a log-in not used for this long ends."),
    _s("WTF_CSRF_TIME_LIMIT", None, FIXED_INT_OR_NONE, None,
       "CSRF tokens expire with the session, so that a long-written appeal is not lost on submit."),
    _s("WTF_CSRF_ENABLED", None, BOOL, UNSET, "CSRF protection of every form.",
       testing=Fixed(False)),
    # -- Languages
    _s("BABEL_DEFAULT_LOCALE", None, TEXT, "kk",
       "the language when the browser asks for none we have."),
    _s("BABEL_DEFAULT_TIMEZONE", None, TEXT, "Asia/Almaty", "the time zone dates are shown in."),
    # -- Mail
    _s("MAIL_SERVER", "MAIL_SERVER", TEXT, "localhost", "SMTP host of the outbox worker."),
    _s("MAIL_PORT", "MAIL_PORT", _int_kind(minimum=1, maximum=65535), 25, "SMTP port."),
    _s("MAIL_USE_TLS", "MAIL_USE_TLS", BOOL, False, "STARTTLS to the SMTP server."),
    _s("MAIL_USE_SSL", "MAIL_USE_SSL", BOOL, False, "SMTP over TLS from the first byte."),
    _s("MAIL_USERNAME", "MAIL_USERNAME", SECRET, None, "SMTP user name."),
    _s("MAIL_PASSWORD", "MAIL_PASSWORD", SECRET, None, "SMTP password."),
    _s("MAIL_DEFAULT_SENDER", "MAIL_DEFAULT_SENDER", TEXT, "Reception <no-reply@reception.local>",
       "the From of every e-mail."),
    _s("MAIL_TRANSPORT", "MAIL_TRANSPORT", _choice_kind("smtp", "console", "memory"), "smtp",
       "`smtp` delivers through Flask-Mail; `console` prints each message; `memory` keeps it "
       "(tests).", development="console", testing=Fixed("memory")),
    _s("OUTBOX_MAX_ATTEMPTS", "OUTBOX_MAX_ATTEMPTS", _int_kind(minimum=1), 8,
       "delivery attempts of one e-mail before it is given up."),
    _s("OUTBOX_BACKOFF_SECONDS", "OUTBOX_BACKOFF_SECONDS", SECONDS, 60,
       "the first wait before a failed e-mail is tried again (it doubles each time)."),
    _s("OUTBOX_BATCH_SIZE", "OUTBOX_BATCH_SIZE", _int_kind(minimum=1), 50,
       "e-mails one round of the outbox worker takes."),
    # -- Rate limits, proxies, page cache
    _s("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI",
       Kind("url", _parse_storage_uri), "memory://",
       "rate-limit store; `redis://host:6379/0` when several processes or hosts serve.",
       testing=Fixed("memory://")),
    _s("RATELIMIT_ENABLED", None, BOOL, UNSET, "whether rate limits are counted at all.",
       testing=Fixed(False)),
    _s("RATELIMIT_HEADERS_ENABLED", None, BOOL, True, "answers carry the X-RateLimit headers."),
    _s("RATELIMIT_KEY_PREFIX", "RATELIMIT_KEY_PREFIX", TEXT, "reception",
       "prefix of the counters in the shared store (several deployments on one Redis)."),
    _s("RATELIMIT_LOGIN", None, RATE_LIMIT, "10 per minute; 50 per hour",
       "log-in and password-reset attempts per address."),
    _s("RATELIMIT_REGISTER", None, RATE_LIMIT, "5 per minute; 30 per hour",
       "registrations per address."),
    _s("RATELIMIT_TRACK", None, RATE_LIMIT, "20 per minute; 200 per hour",
       "tracking look-ups and survey answers per address."),
    _s("RATELIMIT_FILE", None, RATE_LIMIT, "10 per minute",
       "appeal filings per address; generous, because accepting a valid appeal is mandatory."),
    _s("RATELIMIT_TWO_FACTOR", None, RATE_LIMIT, "5 per minute; 20 per hour",
       "second-factor attempts per person."),
    _s("RATELIMIT_TERMS", None, RATE_LIMIT, "60 per minute; 600 per hour",
       "requests to the public term calculator per address."),
    _s("RATELIMIT_API", "RATELIMIT_API", RATE_LIMIT, "300 per minute",
       "JSON API calls per validated key, or per address without one."),
    _s("RATELIMIT_OPEN311_READ", "RATELIMIT_OPEN311_READ", RATE_LIMIT, "120 per minute",
       "Open311 reads (lists, one request, services), one count per validated key or address."),
    _s("RATELIMIT_OPEN311_WRITE", "RATELIMIT_OPEN311_WRITE", RATE_LIMIT, "60 per minute",
       "Open311 filings, one count per validated key or address."),
    _s("RECEPTION_REQUIRE_SHARED_LIMITS", "RECEPTION_REQUIRE_SHARED_LIMITS", BOOL, False,
       "refuse to start in production on `memory://` even when the number of workers cannot "
       "be told."),
    _s("RECEPTION_ALLOW_PER_PROCESS_LIMITS", "RECEPTION_ALLOW_PER_PROCESS_LIMITS", BOOL, False,
       "start several workers on `memory://` anyway, each counting alone (benchmarks, trials; "
       "warned in the log)."),
    _s(None, "RECEPTION_WORKERS", INT, None,
       "how many workers gunicorn runs, recorded by `gunicorn.conf.py` for the rate-limit "
       "check; not set by hand."),
    _s(None, "WEB_CONCURRENCY", INT, None,
       "gunicorn's number of workers; read to tell whether several processes serve."),
    _s(None, "GUNICORN_CMD_ARGS", TEXT, None,
       "gunicorn's extra arguments; its `--workers` is read for the same reason."),
    _s("RECEPTION_PROXY_COUNT", "RECEPTION_PROXY_COUNT", INT, 0,
       "how many reverse proxies stand in front (their `X-Forwarded-*` headers are trusted, "
       "so rate limits see citizens' addresses); `1` behind nginx."),
    _s("RECEPTION_CACHE_URL", "RECEPTION_CACHE_URL",
       _url_kind("memory", "redis", "rediss", "unix"), "",
       "where rendered public pages are kept (`redis://host:6379/2`).",
       shown="the rate limiter's Redis when it is one, memory otherwise"),
    _s("RECEPTION_CACHE_SECONDS", "RECEPTION_CACHE_SECONDS", SECONDS, 300,
       "how long a public page (`/`, `/stats`) is kept, and may be kept by a shared cache; "
       "`0` turns it off.", testing=Fixed(0)),
    # -- Appeals, attachments, numbers
    _s("UPLOAD_FOLDER", "UPLOAD_FOLDER", PATH, str(INSTANCE_DIR / "uploads"),
       "where attachments are kept (never under `static/`).", shown="`instance/uploads`"),
    _s("MAX_ATTACHMENTS", None, INT, _MAX_ATTACHMENTS,
       "attachments one appeal or answer may carry."),
    _s("MAX_ATTACHMENT_BYTES", None, INT, 10 * _MB, "the largest attachment, in bytes."),
    _s("MAX_CONTENT_LENGTH", None, INT, _MAX_ATTACHMENTS * 10 * _MB + _MB,
       "the largest request: every attachment at its largest plus the form."),
    _s("MAX_FORM_MEMORY_SIZE", None, INT, _MB, "the largest form field kept in memory."),
    _s("MAX_TEXT_LENGTH", None, INT, 10_000, "the longest appeal text, in characters."),
    _s("MAX_SUBJECT_LENGTH", None, INT, 300, "the longest subject, in characters."),
    _s("RECEPTION_MAX_CO_APPLICANTS", "RECEPTION_MAX_CO_APPLICANTS", INT, 50,
       "the most co-applicants one collective appeal may name (Art. 22)."),
    _s("RECEPTION_NUMBER_PREFIX", "RECEPTION_NUMBER_PREFIX", TEXT, "RC",
       "registration numbers are `<PREFIX>-<YEAR>-<8 digits>`, gap-free per year."),
    _s("SUBMISSION_RETRY_MINUTES", "RECEPTION_SUBMISSION_RETRY_MINUTES", MINUTES, 30,
       "how long a retried appeal form shows the receipt again (only to the browser that was "
       "given the form)."),
    _s("RECEPTION_IDEMPOTENCY_HOURS", "RECEPTION_IDEMPOTENCY_HOURS", HOURS, 24,
       "how long the APIs keep the first answer to a POST sent with an `Idempotency-Key`."),
    # -- The law (docs/domain.md)
    _s("RECEPTION_COUNTRY", "RECEPTION_COUNTRY", TEXT, "KZ",
       "the country of the working-day calendar (the `holidays` package)."),
    _s("RECEPTION_TIMEZONE", "RECEPTION_TIMEZONE", TIME_ZONE, "Asia/Almaty",
       "the local time zone of dates and terms."),
    _s("RECEPTION_WORKDAY_CUTOFF", "RECEPTION_WORKDAY_CUTOFF", CLOCK_TIME, "18:30",
       "end of the working day: an appeal received later counts from the next working day."),
    _s("RECEPTION_TERM_DAYS", None, FIXED_DICT,
       {"application": 15, "complaint": 20, "request": 15, "proposal": 15, "response": 15,
        "report": 15},
       "working days to answer, by kind of appeal."),
    _s("RECEPTION_NO_EXTENSION_KINDS", None, FIXED_TUPLE, ("complaint",),
       "kinds whose term may not be extended."),
    _s("RECEPTION_FORWARD_WITHIN_DAYS", None, DAYS, 3,
       "working days within which an appeal for another body is forwarded."),
    _s("RECEPTION_EXTENSION_MAX_MONTHS", None, MONTHS, 2, "the longest extension of a term."),
    _s("RECEPTION_RETURN_WITHIN_DAYS", None, DAYS, 3,
       "working days within which an appeal is returned."),
    _s("RECEPTION_COMPLAINT_FILING_MONTHS", None, MONTHS, 3,
       "how long after an answer a complaint about it may be filed."),
    _s("RECEPTION_COMPLAINT_PASS_DAYS", None, DAYS, 3,
       "working days for the answering body to satisfy a complaint or pass it on (Art. 91-100)."),
    # -- Officials' side
    _s("RECEPTION_REPLY_DAYS", None, DAYS, 10,
       "the citizen's default reply period after a clarification request."),
    _s("RECEPTION_REPLY_DAYS_MAX", None, DAYS, 30,
       "the longest reply period an official may give."),
    _s("RECEPTION_REMIND_DAYS", None, DAYS, 2, "working days before a deadline when reminders go."),
    _s("RECEPTION_AUTO_CLOSE_DAYS", None, DAYS, 30,
       "calendar days after an answer when an unrated appeal closes by itself."),
    _s("REVIEW_PAGE_SIZE", None, INT, 25, "appeals per page of the queue and the JSON API."),
    _s("RECEPTION_SIMILAR_THRESHOLD", "RECEPTION_SIMILAR_THRESHOLD", _float_kind(0, 1), 0.25,
       "similar appeals: the score (trigram similarity of stemmed words) from which two appeals "
       "are about the same thing."),
    _s("RECEPTION_SIMILAR_WINDOW_DAYS", "RECEPTION_SIMILAR_WINDOW_DAYS", DAYS, 90,
       "similar appeals: the body's open appeals and those registered in the last N days are "
       "compared."),
    _s("RECEPTION_ROUTING_HINT_DAYS", "RECEPTION_ROUTING_HINT_DAYS", DAYS, 365,
       'the "often forwarded to ..." hint reads this many days of forwards.'),
    _s("RECEPTION_ROUTING_HINT_MIN", "RECEPTION_ROUTING_HINT_MIN", INT, 2,
       "the hint needs this many similar forwards."),
    _s("STATS_MIN_ANSWERED", None, INT, 10,
       "the public comparison shows a body once this many appeals stand behind its on-time "
       "share (answered, or open and overdue)."),
    # -- Closing the loop
    _s("RECEPTION_SURVEY_DAYS", "RECEPTION_SURVEY_DAYS", DAYS, 10,
       "working days after an answer when the applicant is asked whether the problem was "
       "resolved (`0`: never)."),
    _s("RECEPTION_SURVEY_LINK_DAYS", "RECEPTION_SURVEY_LINK_DAYS", DAYS, 60,
       "days the signed links of that e-mail stay valid."),
    _s("RECEPTION_REPEAT_MONTHS", "RECEPTION_REPEAT_MONTHS", MONTHS, 12,
       "a new appeal of the same applicant on the same topic within this many months of an "
       "answer is marked a repeat (`0`: never)."),
    # -- Second factor and passwords
    _s("TWO_FACTOR_REQUIRED_ROLES", "RECEPTION_2FA_ROLES", LIST, ("head", "admin"),
       "roles that must log in with two-step verification (TOTP app and recovery codes); "
       "others may turn it on.", development=(), testing=Fixed(())),
    _s("TWO_FACTOR_ISSUER", "RECEPTION_2FA_ISSUER", TEXT, "Reception",
       "the name authenticator apps show beside the codes."),
    _s("TWO_FACTOR_MAX_FAILURES", "RECEPTION_2FA_MAX_FAILURES", _int_kind(minimum=1), 5,
       "wrong second-factor codes (counted per person in the database) that lock the second "
       "step."),
    _s("TWO_FACTOR_FAILURE_WINDOW_MINUTES", "RECEPTION_2FA_FAILURE_WINDOW_MINUTES", MINUTES, 15,
       "the window in which those wrong codes are counted."),
    _s("TWO_FACTOR_LOCK_MINUTES", "RECEPTION_2FA_LOCK_MINUTES", MINUTES, 15,
       "how long the second step stays locked."),
    _s("TOTP_KEYS", "RECEPTION_TOTP_KEYS", SECRET_LIST, (),
       "Fernet keys (comma-separated) that encrypt the second-factor secrets: the first "
       "encrypts, every one decrypts (rotation); make one with `flask --app wsgi totp new-key` and "
       "keep it apart from `SECRET_KEY` and from backups.",
       shown="derived from `SECRET_KEY` under a label of its own, with a warning at every "
       "production start"),
    _s("ARGON2_TIME_COST", None, FIXED_INT_OR_NONE, None,
       "argon2 passes; none keeps the library's recommended value (RFC 9106).",
       testing=Fixed(1)),
    _s("ARGON2_MEMORY_COST", None, FIXED_INT_OR_NONE, None,
       "argon2 memory in KiB; none keeps the library's recommended value.",
       testing=Fixed(8 * 1024)),
    # -- Operations (docs/operations.md)
    _s("RECEPTION_LOG_LEVEL", "RECEPTION_LOG_LEVEL",
       _choice_kind("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", upper=True), "INFO",
       "level of the JSON log lines every process writes to stderr."),
    _s("RECEPTION_TRUST_REQUEST_ID", "RECEPTION_TRUST_REQUEST_ID", BOOL, False,
       "keep the client's `X-Request-ID` as the request id (always on when "
       "`RECEPTION_PROXY_COUNT` > 0)."),
    _s("RECEPTION_METRICS_ALLOW", "RECEPTION_METRICS_ALLOW", LIST, (),
       "addresses or networks that may read `/metrics` (`127.0.0.1,10.0.0.0/8`).",
       development=("127.0.0.1", "::1"), testing=Fixed(("127.0.0.1", "::1")),
       shown="nobody"),
    _s("RECEPTION_METRICS_TOKEN", "RECEPTION_METRICS_TOKEN", SECRET, None,
       "a secret that opens `/metrics` from anywhere (`Authorization: Bearer ...`)."),
    _s(None, "PROMETHEUS_MULTIPROC_DIR", PATH, None,
       "where gunicorn's workers keep their metrics (emptied at start by `gunicorn.conf.py`).",
       shown="a new temporary folder"),
    _s("RECEPTION_OUTBOX_HEARTBEAT_MAX_SECONDS", "RECEPTION_OUTBOX_HEARTBEAT_MAX_SECONDS",
       SECONDS, 300, "the e-mail worker counts as late when it has not finished a round for "
       "this long."),
    _s("RECEPTION_DEADLINE_JOB_MAX_HOURS", "RECEPTION_DEADLINE_JOB_MAX_HOURS", HOURS, 26,
       "the deadline job counts as late when it has not finished for this long."),
    _s("RECEPTION_READYZ_FAIL_ON_LATE", "RECEPTION_READYZ_FAIL_ON_LATE", BOOL, False,
       "a late worker or job makes `/readyz` answer 503, not only `degraded`."),
    _s("RECEPTION_SECURITY_LOG_DAYS", "RECEPTION_SECURITY_LOG_DAYS", DAYS, 365,
       "how long security events are kept (the deadline job deletes older ones; `0`: for "
       "ever)."),
    # -- The test suite
    _s(None, "RECEPTION_REQUIRE_POSTGRES", BOOL, False,
       "tests: a test that needs PostgreSQL fails instead of being skipped (CI)."),
    _s(None, "RECEPTION_REQUIRE_REDIS", BOOL, False,
       "tests: the rate-limit tests that need the real Redis fail instead of being skipped (CI)."),
)
# fmt: on

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS if s.key}
BY_VARIABLE: dict[str, Setting] = {name: s for s in SETTINGS for name in s.variables()}


# --- reading ------------------------------------------------------------------------------


def read_settings(
    environment: str, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Every app.config value of one environment, and a line for each value that is bad."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in SETTINGS:
        if setting.key is None or setting.derived:
            continue
        name, default = setting.source(environment)
        if default is UNSET and name is None:
            continue
        value = copy.deepcopy(default)
        raw = environ.get(name) if name else None
        if raw is not None and (raw.strip() or not setting.kind.empty_is_default):
            try:
                value = setting.kind.parse(raw)
            except ValueError as error:
                shown = "(hidden)" if setting.kind.secret else repr(raw)
                problems.append(f"{name}={shown}: {error}")
        values[setting.key] = value
    return values, problems


def problems_message(problems: Iterable[str]) -> str:
    return "Reception will not start: these settings are not valid:\n" + "\n".join(
        f"  {line}" for line in problems
    )


class Config:
    """Defaults shared by every environment (no per-environment values)."""

    settings_problems: tuple[str, ...] = ()

    @classmethod
    def check_values(cls) -> None:
        """Refuse to start when a setting read from the environment was bad."""
        if cls.settings_problems:
            raise SettingsError(problems_message(cls.settings_problems))

    @classmethod
    def check(cls) -> None:
        """Everything create_app checks before it builds the app."""
        cls.check_values()


def _fill(cls: type, environment: str) -> type:
    values, problems = read_settings(environment)
    for key, value in values.items():
        setattr(cls, key, value)
    cls.settings_problems = tuple(problems)
    return cls


_fill(Config, "base")


class DevelopmentConfig(Config):
    """`make run`: console e-mail, demo data, password-only demo log-ins."""


class TestingConfig(Config):
    """The test suite: in-memory e-mail, no rate limits, cheap hashing."""


class ProductionConfig(Config):
    @classmethod
    def check(cls) -> None:
        """Refuse to start without the settings production cannot guess, or with bad ones."""
        missing = [
            name
            for setting in SETTINGS
            if "production" in setting.required_in
            for name in [setting.env]
            if name and not os.environ.get(name, "").strip(", ")
        ]
        if missing:
            raise SettingsError(
                "Production needs these environment variables: " + ", ".join(missing)
            )
        super().check()


_fill(DevelopmentConfig, "development")
_fill(TestingConfig, "testing")
_fill(ProductionConfig, "production")

CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    """Return the settings class for an environment name (production by default)."""
    key = (name or "production").strip().lower()
    if key not in CONFIGS:
        raise SettingsError(f"Unknown RECEPTION_ENV {name!r}; use one of {sorted(CONFIGS)}")
    return CONFIGS[key]


def _database_url(default: str, name: str = "DATABASE_URL") -> str:
    """The database URL in a variable, with the driver SQLAlchemy needs named."""
    return _database_url_from(os.environ.get(name, default))


# --- the table ----------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is UNSET:
        return "the framework's default"
    if value is None:
        return "none"
    if value is True or value is False:
        return "on" if value else "off"
    if value == "" or value == ():
        return "empty"
    if isinstance(value, tuple):
        return "`" + ",".join(value) + "`"
    if isinstance(value, timedelta):
        return str(value)
    return f"`{value}`"


def _default_cell(setting: Setting, variable: str) -> str:
    main_variable, main_default = setting.source("production")
    required = "production" in setting.required_in
    parts = []
    if main_variable == variable:
        shown = setting.shown or _show(main_default)
        parts.append("**required in production**" if required else shown)
    for environment in ("development", "testing"):
        name, default = setting.source(environment)
        same = default == main_default
        if name == variable and main_variable == variable and same and not required:
            continue
        if name == variable:
            shown = setting.shown if same and setting.shown else _show(default)
            parts.append(f"{environment}: {shown}")
        elif main_variable != variable:
            continue
        elif name is None:
            parts.append(f"{environment}: always {_show(default)}")
        else:
            parts.append(f"{environment}: `{name}` instead")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(*, every_setting: bool = False) -> str:
    """The configuration table of the README: one row per environment variable.

    With every_setting, the settings made in config.py only (the terms of the law, the
    cookie flags, ...) follow, one row per app.config key.
    """
    lines = ["| variable | setting | type | default | meaning |", "|---|---|---|---|---|"]
    for setting in SETTINGS:
        for variable in setting.variables():
            lines.append(
                "| "
                + " | ".join(
                    _cell(part)
                    for part in (
                        f"`{variable}`",
                        f"`{setting.key}`" if setting.key else "",
                        setting.kind.name,
                        _default_cell(setting, variable),
                        setting.meaning,
                    )
                )
                + " |"
            )
    if every_setting:
        for setting in SETTINGS:
            if setting.variables():
                continue
            defaults = [_show(setting.default)]
            for environment in ENVIRONMENTS:
                _, value = setting.source(environment)
                if value != setting.default:
                    defaults.append(f"{environment}: {_show(value)}")
            shown = "set at start-up" if setting.derived else "; ".join(defaults)
            lines.append(
                f"| | `{setting.key}` | {setting.kind.name} | {_cell(shown)} | "
                f"{_cell(setting.meaning)} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # `python config.py [--all]`: the table, without starting the app
    import sys

    sys.stdout.write(markdown_table(every_setting="--all" in sys.argv[1:]))

__all__ = [
    "BASE_DIR",
    "CONFIGS",
    "INSTANCE_DIR",
    "SETTINGS",
    "Config",
    "DevelopmentConfig",
    "ProductionConfig",
    "Setting",
    "SettingsError",
    "TestingConfig",
    "config_for",
    "markdown_table",
    "read_settings",
]
