"""Every main page in kk, ru and en, at phone and desktop width: screenshots and axe."""

import re

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    axe_violations,
    choose_language,
    log_in,
    screenshot,
    submit,
)

LANGUAGES = ("kk", "ru", "en")
PUBLIC_PAGES = {
    "home": "/",
    "form": "/appeals/new",
    "track": "/track",
    "stats": "/stats",
    "login": "/login",
}


@pytest.fixture(scope="module")
def demo_numbers(live_server, browser):
    """A receipt and a tracked appeal of this browser session, filed once."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    choose_language(page, live_server, "en", "/appeals/new")
    page.select_option("#category", "land")
    page.check("input[name=kind][value=application]")
    page.check("input[name=language][value=en]")
    page.select_option("#region", "KZ-71")
    page.fill("#subject", "Land plot documents")
    page.fill("#text", "I applied for a land plot six months ago and have no answer.")
    page.fill("#full_name", "Dana Seitova")
    page.fill("#email", "dana@example.kz")
    page.fill("#address", "Astana, Abai avenue 1")
    page.locator("main button[type=submit]:visible").last.click()
    page.wait_for_url(re.compile(r".*/receipt$"))
    number = page.locator("[data-registration-number]").inner_text().strip()
    code = page.locator("[data-access-code]").inner_text().strip()
    storage = context.storage_state()
    context.close()
    return number, code, storage


WIDER_THAN_THE_SCREEN = """(width) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 8)
    .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))"""


def check(page, name: str) -> None:
    width = page.viewport_size["width"]
    if page.evaluate("document.documentElement.scrollWidth") > width:
        screenshot(page, name)
        wide = page.evaluate(WIDER_THAN_THE_SCREEN, width)
        raise AssertionError(f"{name} scrolls sideways: {wide}")
    problems = axe_violations(page)
    assert problems == [], f"{name}: {problems}"
    screenshot(page, name)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages(live_server, new_page, lang, viewport):
    page = new_page(viewport)
    for name, path in PUBLIC_PAGES.items():
        choose_language(page, live_server, lang, path)
        check(page, f"{name}-{lang}-{viewport['width']}")
    # The form with its errors shown.
    choose_language(page, live_server, lang, "/appeals/new")
    submit(page)
    check(page, f"form-errors-{lang}-{viewport['width']}")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_receipt_and_tracking_pages(live_server, browser, demo_numbers, lang, viewport):
    number, code, storage = demo_numbers
    context = browser.new_context(viewport=viewport, bypass_csp=True, storage_state=storage)
    page = context.new_page()
    choose_language(page, live_server, lang, f"/appeals/{number}/receipt")
    check(page, f"receipt-{lang}-{viewport['width']}")
    choose_language(page, live_server, lang, "/track")
    page.fill("#number", number)
    page.fill("#code", code)
    submit(page)
    check(page, f"status-{lang}-{viewport['width']}")
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_pages(live_server, new_page, demo_numbers, lang, viewport):
    number = demo_numbers[0]
    width = viewport["width"]
    official = new_page(viewport)
    log_in(official, live_server, "official@demo.kz", lang)
    official.goto(f"{live_server}/review/")
    check(official, f"queue-{lang}-{width}")
    official.goto(f"{live_server}/review/appeals/{number}")
    check(official, f"appeal-{lang}-{width}")
    admin = new_page(viewport)
    log_in(admin, live_server, "admin@demo.kz", lang)
    admin.goto(f"{live_server}/monitoring/")
    check(admin, f"dashboard-{lang}-{width}")
    admin.goto(f"{live_server}/admin/")
    check(admin, f"admin-{lang}-{width}")
