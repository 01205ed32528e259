"""Rate limits against the real Redis of this machine, shared by two app processes."""

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
