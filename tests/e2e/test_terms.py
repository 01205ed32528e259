"""The term calculator in the browser: kk, ru and en, at phone and desktop width.

docs/domain.md, section 11: the answer is marked with ISO dates and explained step by step.
"""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, axe_violations, choose_language, screenshot, submit


@pytest.mark.parametrize("lang", ("kk", "ru", "en"))
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_term_calculator(live_server, new_page, lang, viewport):
    page = new_page(viewport)
    choose_language(page, live_server, lang, "/terms")
    page.fill("#date", "2025-03-19")
    page.fill("#time", "18:30")
    page.select_option("#kind", "application")
    submit(page)
    answer = page.locator("[data-due-on]")
    assert answer.get_attribute("data-registered-on") == "2025-03-20"
    assert answer.get_attribute("data-due-on") == "2025-04-15"
    assert page.locator(".term-steps li").count() >= 8
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert axe_violations(page) == []
    screenshot(page, f"terms-{lang}-{viewport['width']}")
