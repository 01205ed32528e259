"""Settings, security headers, health check and error pages."""

import pytest

from config import ProductionConfig, config_for
from reception import create_app


def test_production_refuses_to_start_without_secret_key_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_is_the_default_environment():
    assert config_for(None) is ProductionConfig


def test_postgres_urls_get_the_psycopg_driver(monkeypatch):
    from config import _database_url

    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert _database_url("x") == "postgresql+psycopg://u@h/db"


def test_https_base_url_makes_cookies_secure(app):
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_every_answer_carries_the_security_headers_once(client):
    """Added below Flask (core.security.SecurityHeaders): error pages, static files and
    machine answers get them too, each once."""
    for path in ("/no-such-page", "/static/css/app.css", "/open311/v2/services.json"):
        response = client.get(path)
        for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
            assert len(response.headers.getlist(name)) == 1, (path, name)


def test_an_answer_that_sets_a_security_header_keeps_its_own(app):
    from flask import Flask

    from reception.core.security import SecurityHeaders

    inner = Flask("inner")

    @inner.get("/")
    def own():
        return "x", 200, {"X-Frame-Options": "SAMEORIGIN"}

    inner.wsgi_app = SecurityHeaders(inner.wsgi_app, (("X-Frame-Options", "DENY"),))
    assert inner.test_client().get("/").headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]


def test_pages_have_no_inline_scripts_or_styles(client):
    for url in ("/", "/appeals/new", "/track", "/login", "/register"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_a_missing_database(make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent/dir/db.sqlite")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_database_outage_shows_a_clean_try_again_page(make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent/dir/db.sqlite")
    response = broken.test_client().get("/appeals/new", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "temporarily unavailable" in html and "Traceback" not in html


def test_unexpected_error_shows_a_page_without_a_stack_trace(app, make_app):
    other = make_app()

    @other.route("/boom")
    def boom():
        raise ValueError("secret internals")

    response = other.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Something went wrong" in html


def test_oversized_upload_gets_a_clear_page(make_app):
    small = make_app(MAX_CONTENT_LENGTH=1024)
    response = small.test_client().post(
        "/appeals/new", data={"text": "x" * 5000}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("de-DE,fr;q=0.5", None),
        ("", None),
        (";;;q=abc,,,", None),
        ("x" * 8000, None),
        ("ru;q=١", "ru"),  # an Arabic-Indic digit as the weight: read as 1
    ],
)
def test_a_browsers_language_is_read_from_any_header(header, expected):
    from reception.core.i18n import browser_language

    assert browser_language(header) == expected
    assert browser_language.cache_info().maxsize == 256  # odd headers cannot fill memory


def test_odd_accept_language_headers_get_a_page_in_a_known_language(client):
    for header in (";;;q=abc,,,", "x" * 4000, "kk;q=2, ru;q=-1"):
        response = client.get("/", headers={"Accept-Language": header})
        assert response.status_code == 200
        assert '<html lang="' in response.get_data(as_text=True)


def test_plain_functions_are_called_as_they_are_and_coroutines_are_not(app):
    def plain():
        return 1

    async def coroutine():
        return 1

    assert app.ensure_sync(plain) is plain
    try:
        wrapped = app.ensure_sync(coroutine)
    except RuntimeError:  # Flask's async support needs asgiref, which is not installed
        return
    assert wrapped is not coroutine
