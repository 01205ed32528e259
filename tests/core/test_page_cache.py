"""Public pages are rendered once per few minutes per language; personal pages never are."""

from __future__ import annotations

import pytest

from reception.core import caching
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_user


@pytest.fixture
def cached(app):
    app.config["RECEPTION_CACHE_SECONDS"] = 120
    caching.page_cache(app).clear()
    yield app
    app.config["RECEPTION_CACHE_SECONDS"] = 0
    caching.page_cache(app).clear()


def test_stats_is_rendered_once_and_sent_for_shared_caches(cached, client, monkeypatch):
    from reception.monitoring import public

    calls = []
    real = public.list_published_answers
    monkeypatch.setattr(
        public, "list_published_answers", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    first = client.get("/stats")
    second = client.get("/stats")
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert len(calls) == 1
    assert first.headers["X-Page-Cache"] == "miss" and second.headers["X-Page-Cache"] == "hit"
    for response in (first, second):
        assert response.headers["Cache-Control"] == "public, max-age=120"
        assert "Accept-Language" in response.headers["Vary"]
    # Each language and each search is its own page.
    russian = client.get("/stats", headers={"Accept-Language": "ru"})
    assert russian.headers["X-Page-Cache"] == "miss" and "Опубликованные" in russian.get_data(
        as_text=True
    )
    assert client.get("/stats?q=lift").headers["X-Page-Cache"] == "miss"
    assert len(calls) == 3


def test_a_logged_in_person_gets_a_fresh_private_page(cached, client):
    client.get("/stats")  # an anonymous rendering is in the cache
    user = make_user(role="citizen", email="citizen@example.kz")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
    response = client.get("/stats")
    assert "X-Page-Cache" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert "Log out" in response.get_data(as_text=True)


def test_a_remember_cookie_logs_nobody_in(cached, app, client):
    """A log-in lives in its server-side session only: a remember cookie, even one validly
    signed for a real user, is a visitor's, on the pages and on the machine paths (which
    have no session to write a log-in into)."""
    from flask_login.utils import encode_cookie

    user = make_user(role="citizen", email="remembered@example.kz")
    client.get("/stats")
    with app.test_request_context():
        client.set_cookie("remember_token", encode_cookie(str(user.id)))
    response = client.get("/stats")
    assert response.status_code == 200 and response.headers["X-Page-Cache"] == "hit"
    assert "Log out" not in client.get("/").get_data(as_text=True)
    assert client.get("/my/appeals").status_code == 302  # to the log-in page
    for url in ("/api/nothing", "/open311/v2/nothing", "/api/v1/appeals"):
        assert client.get(url).status_code in (401, 404), url


def test_a_citizens_own_pages_are_never_cached(cached, client):
    appeal, code = make_appeal(TUESDAY_MORNING)
    status_page = client.post("/track", data={"number": appeal.number, "code": code})
    assert appeal.number in status_page.get_data(as_text=True)
    assert status_page.headers["Cache-Control"] == "no-store"
    # Holding the right to see an appeal, even the public pages are rendered for this visitor.
    for url in ("/stats", "/"):
        response = client.get(url)
        assert "X-Page-Cache" not in response.headers, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_off_when_the_setting_is_zero(app, client):
    assert app.config["RECEPTION_CACHE_SECONDS"] == 0
    response = client.get("/stats")
    assert "X-Page-Cache" not in response.headers


def test_the_store_follows_the_settings():
    assert caching.cache_url({"RATELIMIT_STORAGE_URI": "memory://"}) == "memory://"
    assert caching.cache_url({"RATELIMIT_STORAGE_URI": "redis://r:6379/1"}) == "redis://r:6379/1"
    assert (
        caching.cache_url(
            {"RECEPTION_CACHE_URL": "redis://c:6379/2", "RATELIMIT_STORAGE_URI": "memory://"}
        )
        == "redis://c:6379/2"
    )


def test_the_memory_cache_forgets_expired_and_oldest_pages(monkeypatch):
    cache = caching.MemoryPageCache(max_entries=2)
    now = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: now[0])
    cache.set("a", b"A", 10)
    cache.set("b", b"B", 10)
    cache.set("c", b"C", 10)
    assert cache.get("a") is None and cache.get("b") == b"B"
    now[0] += 11
    assert cache.get("b") is None
    # An expired entry nobody asks for again is dropped when anything is stored.
    cache.set("d", b"D", 10)
    assert list(cache._items) == ["d"]


def test_redis_keeps_pages_for_every_worker():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    cache = caching.RedisPageCache("redis://127.0.0.1:6379/15")
    cache.set("reception:page:test", b"page", 5)
    assert caching.RedisPageCache("redis://127.0.0.1:6379/15").get("reception:page:test") == (
        b"page"
    )
    cache.clear()
    assert cache.get("reception:page:test") is None
    # A Redis that does not answer is a miss, not an error.
    assert caching.RedisPageCache("redis://127.0.0.1:1/0").get("reception:page:test") is None
