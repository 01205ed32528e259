"""Settings for Reception, read from the environment.

Every legal number (terms, cut-off, limits) lives here with Kazakhstan's value as the
default, so that another jurisdiction is a settings change, not a code change.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_list(name: str, default: str) -> tuple[str, ...]:
    value = os.environ.get(name, default)
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _database_url(default: str, name: str = "DATABASE_URL") -> str:
    url = os.environ.get(name, default)
    # Hosting platforms hand out "postgres://" URLs; SQLAlchemy needs the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'reception.db'}")
    # hide_parameters: no typed value (a name, an IIN) ever reaches a log through an SQL error.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    # A streaming replica the dashboard, the CSV export and /stats read from (empty: the
    # primary). See reception/core/replica.py.
    DATABASE_REPLICA_URL = _database_url("", "DATABASE_REPLICA_URL")

    # Public address used in links inside e-mails; also decides whether cookies are Secure.
    RECEPTION_BASE_URL = os.environ.get("RECEPTION_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # Sessions: HttpOnly always; SameSite=Lax stops cross-site POSTs carrying the cookie.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # Every log-in is a row in user_sessions: it ends at log-out, on a password change or
    # reset, when an administrator ends it, after this many hours whatever happens, and
    # after this many minutes without a request.
    SESSION_ABSOLUTE_HOURS = _env_int("RECEPTION_SESSION_HOURS", 12)
    SESSION_IDLE_MINUTES = _env_int("RECEPTION_SESSION_IDLE_MINUTES", 120)

    # Forms: CSRF tokens expire with the session rather than after an hour, so that a
    # citizen who takes long to write an appeal does not lose it on submit.
    WTF_CSRF_TIME_LIMIT = None

    # Languages: the list is the domain's (reception.domain.workflow.LANGUAGES).
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"

    # Mail
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Reception <no-reply@reception.local>"
    )
    # "smtp" delivers through Flask-Mail; "console" prints each message (development).
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "smtp")
    OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 8)
    OUTBOX_BACKOFF_SECONDS = _env_int("OUTBOX_BACKOFF_SECONDS", 60)
    OUTBOX_BATCH_SIZE = _env_int("OUTBOX_BATCH_SIZE", 50)

    # Rate limits (Flask-Limiter). Several hosts must share a store: redis://...
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Public pages (/stats, the home page) rendered at most once per this many seconds for
    # each language and address, kept in RECEPTION_CACHE_URL (redis://...; by default the
    # rate limiter's Redis if it has one, else each process's memory). 0 turns it off.
    RECEPTION_CACHE_URL = os.environ.get("RECEPTION_CACHE_URL", "")
    RECEPTION_CACHE_SECONDS = _env_int("RECEPTION_CACHE_SECONDS", 300)
    RATELIMIT_LOGIN = "10 per minute; 50 per hour"
    RATELIMIT_REGISTER = "5 per minute; 30 per hour"
    RATELIMIT_TRACK = "20 per minute; 200 per hour"
    # Per client address; generous, because accepting a valid appeal is mandatory.
    RATELIMIT_FILE = "10 per minute"
    # The APIs count per API key that checks out (its id), and per client address for calls
    # without a key or with one that does not: a made-up key never gets a bucket of its own.
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "300 per minute")
    # Every Open311 read (lists, one request, services) shares one count per key or address.
    RATELIMIT_OPEN311_READ = os.environ.get("RATELIMIT_OPEN311_READ", "120 per minute")
    RATELIMIT_OPEN311_WRITE = os.environ.get("RATELIMIT_OPEN311_WRITE", "60 per minute")
    # Several deployments may share one Redis: each counts under its own prefix.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "reception")
    # In production a per-process store (memory://) with several workers is refused at start
    # (each worker would allow the whole limit); with this set it is refused even when the
    # number of workers cannot be told.
    RECEPTION_REQUIRE_SHARED_LIMITS = _env_bool("RECEPTION_REQUIRE_SHARED_LIMITS")
    # The one way to start several workers on memory:// anyway (a benchmark, a trial run):
    # each worker then counts alone, and the log says so at every start.
    RECEPTION_ALLOW_PER_PROCESS_LIMITS = _env_bool("RECEPTION_ALLOW_PER_PROCESS_LIMITS")
    # How many reverse proxies (nginx, a load balancer) stand in front of the app: their
    # X-Forwarded-For / -Proto headers are trusted for that many hops, so that rate limits
    # see each citizen's address instead of the proxy's.
    RECEPTION_PROXY_COUNT = _env_int("RECEPTION_PROXY_COUNT", 0)

    # Uploads: stored outside static/, under random names, checked by content.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_ATTACHMENTS = 5
    # Collective appeals (Art. 22): how many co-applicants one appeal may name.
    RECEPTION_MAX_CO_APPLICANTS = int(os.environ.get("RECEPTION_MAX_CO_APPLICANTS", "50"))
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    # Whole request: every attachment at its largest plus the form itself.
    MAX_CONTENT_LENGTH = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    # Registration numbers: <PREFIX>-<YEAR>-<8 digits>, gap-free per year.
    RECEPTION_NUMBER_PREFIX = os.environ.get("RECEPTION_NUMBER_PREFIX", "RC")

    # The law (Administrative Procedural Code of Kazakhstan by default; docs/domain.md).
    RECEPTION_COUNTRY = os.environ.get("RECEPTION_COUNTRY", "KZ")
    RECEPTION_TIMEZONE = os.environ.get("RECEPTION_TIMEZONE", "Asia/Almaty")
    RECEPTION_WORKDAY_CUTOFF = os.environ.get("RECEPTION_WORKDAY_CUTOFF", "18:30")
    RECEPTION_TERM_DAYS = {
        "application": 15,
        "complaint": 20,
        "request": 15,
        "proposal": 15,
        "response": 15,
        "report": 15,
    }
    RECEPTION_NO_EXTENSION_KINDS = ("complaint",)
    RECEPTION_FORWARD_WITHIN_DAYS = 3
    RECEPTION_EXTENSION_MAX_MONTHS = 2
    RECEPTION_RETURN_WITHIN_DAYS = 3
    RECEPTION_COMPLAINT_FILING_MONTHS = 3
    # Art. 91-100: the body that answered passes a complaint on (or satisfies it) within these.
    RECEPTION_COMPLAINT_PASS_DAYS = 3

    # Officials' side: the citizen's default reply period after a clarification request,
    # reminders before a deadline, and when an unrated answer closes by itself.
    RECEPTION_REPLY_DAYS = 10
    RECEPTION_REPLY_DAYS_MAX = 30
    RECEPTION_REMIND_DAYS = 2
    RECEPTION_AUTO_CLOSE_DAYS = 30  # calendar days after the answer
    REVIEW_PAGE_SIZE = 25
    # How long the APIs keep the first answer to a POST sent with an Idempotency-Key, to
    # answer its retries with it (the daily `deadlines remind` job removes older ones).
    RECEPTION_IDEMPOTENCY_HOURS = _env_int("RECEPTION_IDEMPOTENCY_HOURS", 24)
    # Similar appeals on the staff page: the score from which two appeals count as about the
    # same thing (0-1, trigram similarity of their stemmed words), and which appeals are
    # looked at: the same body's open ones and those registered in the last N days.
    RECEPTION_SIMILAR_THRESHOLD = float(os.environ.get("RECEPTION_SIMILAR_THRESHOLD", "0.25"))
    RECEPTION_SIMILAR_WINDOW_DAYS = _env_int("RECEPTION_SIMILAR_WINDOW_DAYS", 90)
    # The routing hint ("often forwarded to ...") reads a year of forwards and needs this many.
    RECEPTION_ROUTING_HINT_DAYS = _env_int("RECEPTION_ROUTING_HINT_DAYS", 365)
    RECEPTION_ROUTING_HINT_MIN = _env_int("RECEPTION_ROUTING_HINT_MIN", 2)
    # Public statistics show a body only when it has answered at least this many appeals
    # in the last year: fewer would be unfair to it.
    STATS_MIN_ANSWERED = 10
    # Closing the loop: working days after an answer when the applicant is asked whether the
    # problem was resolved, and how long the signed links in that e-mail stay valid; a new
    # appeal of the same applicant on the same topic within this many months of a decision
    # on an earlier one is a repeat.
    RECEPTION_SURVEY_DAYS = _env_int("RECEPTION_SURVEY_DAYS", 10)
    RECEPTION_SURVEY_LINK_DAYS = _env_int("RECEPTION_SURVEY_LINK_DAYS", 60)
    RECEPTION_REPEAT_MONTHS = _env_int("RECEPTION_REPEAT_MONTHS", 12)

    MAX_TEXT_LENGTH = 10_000
    MAX_SUBJECT_LENGTH = 300

    DEMO_DATA_ALLOWED = False

    # Roles that must log in with a second factor (TOTP app + recovery codes). Others may
    # turn it on under Account security. Comma-separated in the environment.
    TWO_FACTOR_REQUIRED_ROLES = _env_list("RECEPTION_2FA_ROLES", "head,admin")
    # The name authenticator apps show beside the code.
    TWO_FACTOR_ISSUER = os.environ.get("RECEPTION_2FA_ISSUER", "Reception")
    RATELIMIT_TWO_FACTOR = "5 per minute; 20 per hour"
    # Wrong second-factor codes are counted per person in the database (every worker and
    # host sees the same count): this many within the window lock the second step.
    TWO_FACTOR_MAX_FAILURES = _env_int("RECEPTION_2FA_MAX_FAILURES", 5)
    TWO_FACTOR_FAILURE_WINDOW_MINUTES = _env_int("RECEPTION_2FA_FAILURE_WINDOW_MINUTES", 15)
    TWO_FACTOR_LOCK_MINUTES = _env_int("RECEPTION_2FA_LOCK_MINUTES", 15)
    # Keys that encrypt the second-factor secrets (Fernet keys, comma-separated): the first
    # encrypts, every one decrypts, so a new key is put first and `flask totp rotate`
    # re-encrypts. Without it a key is derived from SECRET_KEY under a label of its own, and
    # production says so loudly at every start: set it, so that a leaked SECRET_KEY does not
    # also open the second factors.
    TOTP_KEYS = _env_list("RECEPTION_TOTP_KEYS", "")

    # A retried appeal form (the same submission key) shows the receipt again only to the
    # browser session that was given the form, and only this long after the filing.
    SUBMISSION_RETRY_MINUTES = _env_int("RECEPTION_SUBMISSION_RETRY_MINUTES", 30)

    # argon2 cost; None keeps the library's recommended values (RFC 9106, low memory).
    ARGON2_TIME_COST: int | None = None
    ARGON2_MEMORY_COST: int | None = None

    # Operations (docs/operations.md): logs, metrics, readiness, the security log.
    RECEPTION_LOG_LEVEL = os.environ.get("RECEPTION_LOG_LEVEL", "INFO").upper()
    # Take X-Request-ID from the client: only behind a proxy that sets it (RECEPTION_PROXY_COUNT
    # > 0 implies it), otherwise every request gets a new id.
    RECEPTION_TRUST_REQUEST_ID = _env_bool("RECEPTION_TRUST_REQUEST_ID")
    # /metrics answers these addresses or networks, or a Bearer token; nobody by default
    # (behind a proxy every client could look like 127.0.0.1 if RECEPTION_PROXY_COUNT is off).
    RECEPTION_METRICS_ALLOW = _env_list("RECEPTION_METRICS_ALLOW", "")
    RECEPTION_METRICS_TOKEN = os.environ.get("RECEPTION_METRICS_TOKEN") or None
    RECEPTION_OUTBOX_HEARTBEAT_MAX_SECONDS = _env_int("RECEPTION_OUTBOX_HEARTBEAT_MAX_SECONDS", 300)
    RECEPTION_DEADLINE_JOB_MAX_HOURS = _env_int("RECEPTION_DEADLINE_JOB_MAX_HOURS", 26)
    # A late heartbeat makes /readyz say "degraded"; with this on it answers 503 too.
    RECEPTION_READYZ_FAIL_ON_LATE = _env_bool("RECEPTION_READYZ_FAIL_ON_LATE")
    RECEPTION_SECURITY_LOG_DAYS = _env_int("RECEPTION_SECURITY_LOG_DAYS", 365)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the Werkzeug debugger would show stack traces; keep error pages
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-not-secret"
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "console")
    DEMO_DATA_ALLOWED = True
    # The demo's head and administrator log in with a password only, so that anyone can try
    # the product without an authenticator app; set RECEPTION_2FA_ROLES to try it.
    TWO_FACTOR_REQUIRED_ROLES = _env_list("RECEPTION_2FA_ROLES", "")
    RECEPTION_METRICS_ALLOW = _env_list("RECEPTION_METRICS_ALLOW", "127.0.0.1,::1")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    DATABASE_REPLICA_URL = ""
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Tests change the data between two requests; the page cache's own tests turn it on.
    RECEPTION_CACHE_SECONDS = 0
    MAIL_TRANSPORT = "memory"
    DEMO_DATA_ALLOWED = True
    RECEPTION_BASE_URL = "https://reception.test"
    # Tests that are about the second factor turn it on; the rest log in with a password.
    TWO_FACTOR_REQUIRED_ROLES = ()
    # Cheap hashing: hundreds of tests log in; the algorithm is the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8 * 1024
    RECEPTION_METRICS_ALLOW = ("127.0.0.1", "::1")


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEMO_DATA_ALLOWED = _env_bool("RECEPTION_ALLOW_DEMO", False)

    @classmethod
    def check(cls) -> None:
        """Refuse to start without the settings production cannot guess."""
        missing = [
            name
            for name in ("SECRET_KEY", "DATABASE_URL")
            if not os.environ.get(name, "").strip(", ")
        ]
        if missing:
            raise RuntimeError(
                "Production needs these environment variables: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    """Return the settings class for an environment name (production by default)."""
    key = (name or "production").strip().lower()
    if key not in CONFIGS:
        raise RuntimeError(f"Unknown RECEPTION_ENV {name!r}; use one of {sorted(CONFIGS)}")
    return CONFIGS[key]
