"""A live Reception on a free port, and Debian's Chromium driven by Playwright.

The server runs in a thread of the test process, on its own SQLite database with the
reference and demo data, with CSRF on, as a browser meets it.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from config import TestingConfig
from reception import create_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "e2e-artifacts"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    port = _free_port()
    folder = tmp_path_factory.mktemp("e2e")
    settings = type(
        "E2EConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.db'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "RECEPTION_BASE_URL": f"http://127.0.0.1:{port}",
            "WTF_CSRF_ENABLED": True,
        },
    )
    app = create_app(settings)
    app.config["SESSION_COOKIE_SECURE"] = False
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["seed", "reference"], ["seed", "demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is needed for the browser tests: {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser profiles (each its own cookies)."""
    contexts = []

    def open_page(viewport=DESKTOP, lang=None):
        context = browser.new_context(viewport=viewport, bypass_csp=True, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def choose_language(page, base: str, lang: str, path: str = "/") -> None:
    page.goto(f"{base}/lang/{lang}?next={path}")


def submit(page) -> None:
    """Send the page's main form and wait for the answer to load (a busy machine is slow)."""
    with page.expect_navigation():
        page.locator("main button[type=submit]:visible").last.click()


def log_in(page, base: str, email: str, lang: str = "en") -> None:
    choose_language(page, base, lang, "/login")
    page.fill("#email", email)
    page.fill("#password", "demo-password")
    submit(page)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    """Serious and critical accessibility violations on the current page (axe-core)."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
