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
