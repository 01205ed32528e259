"""Two-step verification and registration in a real browser, in three languages."""

import re
from datetime import UTC, datetime, timedelta

from reception.accounts import totp
from tests.e2e.conftest import DESKTOP, PHONE, choose_language, log_in
from tests.e2e.test_pages import check

LANGUAGES = ("kk", "ru", "en")


def app_code(secret: str, steps_ahead: int = 0) -> str:
    return totp.code_at(secret, datetime.now(UTC) + timedelta(seconds=30 * steps_ahead))


def test_an_operator_turns_it_on_and_logs_in_with_the_app(live_server, new_page):
    page = new_page(DESKTOP)
    log_in(page, live_server, "operator@demo.kz", "en")
    page.get_by_role("link", name="Security").click()
    assert "Off" in page.locator("main").inner_text()
    page.get_by_role("link", name="Set up two-step verification").click()
    assert page.locator(".qr-code svg").is_visible()
    check(page, "two-factor-setup-en-1366")
    secret = page.locator("#secret-key").inner_text().replace(" ", "")

    # A wrong code: the message is beside the field, and the key stays the same.
    page.fill("#code", "000000")
    page.locator("main form button[type=submit]").click()
    assert "This code is not right" in page.locator(".field__error").inner_text()
    assert page.locator("#secret-key").inner_text().replace(" ", "") == secret

    page.fill("#code", app_code(secret))
    page.locator("main form button[type=submit]").click()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    check(page, "two-factor-recovery-codes-en-1366")
    page.get_by_role("link", name="I have saved them").click()

    # Logging in again takes the password, then a code; a recovery code works too.
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "operator@demo.kz", "en")
    assert page.url.endswith("/login/verify")
    page.fill("#code", app_code(secret, 1))
    page.locator("main button[type=submit]:visible").last.click()
    assert page.url.endswith("/review/")

    for lang in LANGUAGES:
        for viewport in (PHONE, DESKTOP):
            other = new_page(viewport)
            log_in(other, live_server, "operator@demo.kz", lang)
            assert other.url.endswith("/login/verify")
            check(other, f"two-factor-verify-{lang}-{viewport['width']}")
    other.fill("#code", codes[0])
    other.locator("main button[type=submit]:visible").last.click()
    assert other.url.endswith("/review/")
    assert "9" in other.locator(".flash-list").inner_text()


def test_security_and_setup_pages_in_every_language(live_server, new_page):
    for lang in LANGUAGES:
        for viewport in (PHONE, DESKTOP):
            page = new_page(viewport)
            log_in(page, live_server, "citizen@demo.kz", lang)
            page.goto(f"{live_server}/account/security")
            check(page, f"security-{lang}-{viewport['width']}")
            page.goto(f"{live_server}/account/security/setup")
            check(page, f"two-factor-setup-{lang}-{viewport['width']}")


def register(page, base: str, lang: str, email: str) -> str:
    """Fill the registration form and send it; return what the page then says."""
    choose_language(page, base, lang, "/register")
    page.fill("#full_name", "Дана Сейтова")
    page.fill("#email", email)
    page.fill("#password", "a long enough password")
    page.fill("#password_confirm", "a long enough password")
    page.locator("main button[type=submit]:visible").last.click()
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def test_registration_asks_to_confirm_the_address(live_server, new_page):
    for lang in LANGUAGES:
        page = new_page(PHONE)
        first = register(page, live_server, lang, f"dana.{lang}@example.kz")
        assert f"dana.{lang}@example.kz" in first
        check(page, f"register-sent-{lang}-390")
        # The same address again: the very same page (nothing tells it is taken).
        assert register(new_page(PHONE), live_server, lang, f"dana.{lang}@example.kz") == first
