"""Rate limits against the real Redis of this machine, shared by two app processes."""

import logging
import os
import uuid

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        if os.environ.get("RECEPTION_REQUIRE_REDIS") == "1":
            pytest.fail(f"this test needs Redis at {REDIS_URL}")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    return REDIS_URL


def test_two_hosts_share_one_tracking_limit_in_redis(make_app, redis_url):
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "RATELIMIT_TRACK": "3 per minute",
    }
    first_host, second_host = make_app(**settings), make_app(**settings)
    answers = [
        first_host.test_client().post("/track", data={"number": "x", "code": "y"}).status_code
        for _ in range(2)
    ]
    answers += [
        second_host.test_client().post("/track", data={"number": "x", "code": "y"}).status_code
        for _ in range(2)
    ]
    assert answers == [404, 404, 404, 429]


def test_log_in_is_rate_limited(make_app, redis_url):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        RATELIMIT_LOGIN="2 per minute",
    )
    client = app.test_client()
    codes = [
        client.post("/login", data={"email": "a@b.kz", "password": "x" * 12}).status_code
        for _ in range(3)
    ]
    assert codes == [401, 401, 429]


# --- The APIs: per validated key, per address for anything else --------------------------


@pytest.fixture
def limited(make_app):
    """An app whose API limits are small, counted in this process's memory."""

    def build(**limits):
        return make_app(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="memory://",
            RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
            **limits,
        )

    return build


def _api_key(role="head", email=None):
    from datetime import UTC, datetime

    from reception.accounts.apikeys import create_api_key
    from reception.extensions import db
    from tests.factories import make_staff

    user = make_staff(role=role, email=email or f"{uuid.uuid4().hex[:8]}@example.kz")
    _, secret = create_api_key(db.session, name="limits", user=user, now=datetime.now(UTC))
    db.session.commit()
    return secret


def test_a_flood_of_made_up_open311_keys_shares_the_address_bucket(limited):
    client = limited(RATELIMIT_OPEN311_READ="3 per minute").test_client()
    codes = [
        client.get(f"/open311/v2/requests.json?api_key={uuid.uuid4().hex}").status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_a_flood_of_made_up_bearer_keys_shares_the_address_bucket(limited):
    client = limited(RATELIMIT_API="3 per minute").test_client()
    codes = [
        client.get(
            "/api/v1/appeals", headers={"Authorization": f"Bearer rk_{uuid.uuid4().hex}"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_a_valid_key_has_a_bucket_of_its_own(limited):
    secret, other = _api_key(), _api_key()
    client = limited(RATELIMIT_API="2 per minute").test_client()
    mine = {"Authorization": f"Bearer {secret}"}
    # Garbage from the same address uses up the address's bucket ...
    garbage = [
        client.get("/api/v1/appeals", headers={"Authorization": "Bearer nope"}).status_code
        for _ in range(3)
    ]
    assert garbage == [401, 401, 429]
    # ... and does not touch the keys': each has its own two calls, from the same address.
    assert [client.get("/api/v1/appeals", headers=mine).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    theirs = {"Authorization": f"Bearer {other}"}
    assert client.get("/api/v1/appeals", headers=theirs).status_code == 200


def test_open311_valid_key_is_counted_apart_from_the_address(limited):
    secret = _api_key()
    client = limited(RATELIMIT_OPEN311_READ="2 per minute").test_client()
    assert [client.get("/open311/v2/services.json").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    keyed = f"/open311/v2/requests.json?api_key={secret}"
    assert [client.get(keyed).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    "url",
    [
        "/open311/v2/requests/RC-2026-00000001.json",
        "/open311/v2/requests/RC-2026-00000001.xml",
        "/open311/v2/services/land.json",
        "/open311/v2/discovery.json",
        "/open311/v2/tokens/x.json",
    ],
)
def test_every_open311_read_is_limited(limited, url):
    client = limited(RATELIMIT_OPEN311_READ="2 per minute").test_client()
    codes = [client.get(url).status_code for _ in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2], codes


def test_open311_single_request_reads_share_one_count_with_the_list(limited):
    client = limited(RATELIMIT_OPEN311_READ="3 per minute").test_client()
    codes = [
        client.get("/open311/v2/requests.json").status_code,
        client.get("/open311/v2/requests/RC-2026-00000001.json").status_code,
        client.get("/open311/v2/requests/RC-2026-00000002.xml").status_code,
        client.get("/open311/v2/requests.json").status_code,
    ]
    assert codes == [200, 404, 404, 429]


# --- One store for every worker in production ------------------------------------------


PRODUCTION = {"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.mark.parametrize(
    "environ, argv, verdict",
    [
        ({"WEB_CONCURRENCY": "4"}, ["wsgi"], "refuse"),
        ({"RECEPTION_WORKERS": "2"}, ["gunicorn"], "refuse"),
        ({}, ["/usr/bin/gunicorn", "-w", "3", "wsgi:app"], "refuse"),
        ({}, ["/venv/gunicorn/__main__.py", "--workers=2", "wsgi:app"], "refuse"),
        ({"GUNICORN_CMD_ARGS": "--workers 5 --bind :80"}, ["x"], "refuse"),
        ({"RECEPTION_WORKERS": "1", "WEB_CONCURRENCY": "4"}, ["gunicorn"], "warn"),
        ({}, ["gunicorn", "wsgi:app"], "warn"),  # gunicorn's default: one worker
        ({}, ["flask"], "warn"),  # not known
    ],
)
def test_production_refuses_per_process_limits_with_several_workers(environ, argv, verdict):
    from reception.core.ratelimits import shared_limits_problem

    assert shared_limits_problem(PRODUCTION, environ, argv)[0] == verdict


def test_shared_store_or_other_environments_are_fine():
    from reception.core.ratelimits import shared_limits_problem

    many = {"WEB_CONCURRENCY": "8"}
    shared = {**PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    assert shared_limits_problem(shared, many, ["gunicorn"]) is None
    assert shared_limits_problem({**PRODUCTION, "ENV_NAME": "development"}, many, []) is None


def test_required_shared_limits_refuse_memory_even_with_one_worker():
    from reception.core.ratelimits import shared_limits_problem

    strict = {**PRODUCTION, "RECEPTION_REQUIRE_SHARED_LIMITS": True}
    assert shared_limits_problem(strict, {}, ["flask"])[0] == "refuse"
    assert shared_limits_problem(strict, {"RECEPTION_WORKERS": "1"}, ["gunicorn"])[0] == "refuse"


def test_several_workers_start_only_when_told_to_count_per_worker():
    from reception.core.ratelimits import shared_limits_problem

    allowed = {**PRODUCTION, "RECEPTION_ALLOW_PER_PROCESS_LIMITS": True}
    assert shared_limits_problem(allowed, {"WEB_CONCURRENCY": "4"}, [])[0] == "warn"


def test_create_app_refuses_in_production(monkeypatch, tmp_path):
    import config
    from reception import create_app
    from reception.core.ratelimits import SharedLimitsRequired

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("RECEPTION_ENV", "production")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setattr(config.ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(SharedLimitsRequired, match="3 workers"):
        create_app()


def test_create_app_warns_loudly_when_it_cannot_tell(monkeypatch, tmp_path, caplog):
    import config
    from reception import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("RECEPTION_ENV", "production")
    for name in ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "RECEPTION_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config.ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    # Alembic's fileConfig (the test database's migrations) turns off loggers made before it.
    monkeypatch.setattr(logging.getLogger("reception.ratelimits"), "disabled", False)
    with caplog.at_level("WARNING", logger="reception.ratelimits"):
        create_app()
    assert "RATELIMIT_STORAGE_URI=memory://" in caplog.text


def test_gunicorn_with_two_workers_on_memory_does_not_start(tmp_path):
    """The real thing: gunicorn reads gunicorn.conf.py, which stops it before any worker."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RECEPTION_", "RATELIMIT_", "WEB_CONCURRENCY", "GUNICORN_"))
    } | {
        "RECEPTION_ENV": "production",
        "SECRET_KEY": "x" * 32,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "UPLOAD_FOLDER": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "2 workers" in done.stderr and "RATELIMIT_STORAGE_URI" in done.stderr
