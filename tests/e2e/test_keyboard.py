"""Filing works with the keyboard alone, and focus is always visible."""

import re

from tests.e2e.conftest import DESKTOP, choose_language


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def test_an_appeal_can_be_filed_with_the_keyboard_alone(live_server, new_page):
    page = new_page(DESKTOP)
    choose_language(page, live_server, "en", "/appeals/new")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"

    tab_to(page, "kind-0")
    page.keyboard.press("ArrowDown")  # radio groups move with the arrows
    assert page.evaluate("document.activeElement.value") == "complaint"
    page.keyboard.press("ArrowUp")

    tab_to(page, "category")
    page.keyboard.type("Land")  # a select jumps to the typed option
    assert page.input_value("#category") == "land"
    tab_to(page, "region")
    page.keyboard.type("Astana")
    assert page.input_value("#region") == "KZ-71"
    tab_to(page, "subject")
    page.keyboard.type("Documents for a land plot")
    tab_to(page, "text")
    page.keyboard.type("I applied six months ago and have had no answer.")
    tab_to(page, "full_name")
    page.keyboard.type("Dana Seitova")
    tab_to(page, "email")
    page.keyboard.type("dana@example.kz")
    tab_to(page, "address")
    page.keyboard.type("Astana, Abai avenue 1")
    # No answer language is chosen for the person: Space chooses the focused one.
    tab_to(page, "language-0")
    page.keyboard.press("Space")
    assert page.is_checked("#language-0")
    tab_to(page, "publish_consent")
    page.keyboard.press("Space")
    assert page.is_checked("#publish_consent")

    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible

    page.keyboard.press("Tab")  # the send button follows
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/receipt$"))
    assert page.locator("[data-registration-number]").is_visible()
