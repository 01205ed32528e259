"""An interface that never loses work and never misleads (issue 15), in a real browser."""

import re

from tests.e2e.conftest import DESKTOP, PHONE, axe_violations, choose_language, log_in, screenshot
from tests.e2e.test_flows import file_appeal


def _taken_appeal(live_server, new_page, subject):
    citizen = new_page(PHONE)
    number, code = file_appeal(citizen, live_server, "ru", subject)
    official = new_page(DESKTOP)
    log_in(official, live_server, "official@demo.kz", "ru")
    official.goto(f"{live_server}/review/appeals/{number}")
    official.get_by_role("button", name="Принять в работу").click()
    return official, number, code, citizen


def test_template_insert_keeps_the_draft_and_a_blank_is_refused(live_server, new_page):
    official, number, _code, _citizen = _taken_appeal(live_server, new_page, "Шаблон ответа")
    official.locator("#action-answer summary").click()
    official.fill("#answer-text", "Мой черновик ответа.")
    official.select_option("#template", label="Вопрос решён")
    with official.expect_navigation():
        official.locator("[data-insert=append]").click()
    # A POST: neither the draft nor the token in the address; the draft is still there.
    assert "csrf_token" not in official.url and "text=" not in official.url
    text = official.input_value("#answer-text")
    assert text.startswith("Мой черновик ответа.") and "[описание принятых мер]" in text

    # Sending with the blanks still in: refused, the error names the blank, focus on it.
    with official.expect_navigation():
        official.get_by_role("button", name="Отправить ответ").click()
    summary = official.locator("#action-answer .error-summary")
    assert "[описание принятых мер]" in summary.inner_text()
    official.wait_for_function("document.activeElement.classList.contains('error-summary')")
    field = official.locator("#answer-text")
    assert field.get_attribute("aria-invalid") == "true"
    assert "answer-text-error" in field.get_attribute("aria-describedby")
    assert official.locator("#action-answer .error-summary").is_visible()
    assert axe_violations(official) == []
    screenshot(official, "interface-ru-answer-placeholder")

    # The preview shows what the applicant will receive; then the filled answer goes.
    official.fill("#answer-text", "Освещение восстановлено 20 ноября. Основание: ст. 89 АППК.")
    with official.expect_navigation():
        official.locator("#action-answer button[name=preview]").click()
    assert "Освещение восстановлено" in official.locator(".answer-preview").inner_text()
    with official.expect_navigation():
        official.get_by_role("button", name="Отправить ответ").click()
    assert "Дан ответ" in official.locator("main").inner_text()


def test_every_appeal_page_form_error_is_summarised_at_the_field(live_server, new_page):
    official, number, code, _citizen = _taken_appeal(live_server, new_page, "Ошибки форм")
    for action, field in (("note", "#note-text"), ("request_info", "#ri-text")):
        official.goto(f"{live_server}/review/appeals/{number}")
        official.locator(f"#action-{action} summary").click()
        with official.expect_navigation():
            official.locator(f"#action-{action} button[type=submit]").click()
        summary = official.locator(f"#action-{action} .error-summary")
        assert summary.is_visible()
        assert summary.locator(f"a[href='{field}']").count() == 1
        official.wait_for_function("document.activeElement.classList.contains('error-summary')")
        assert official.locator(field).get_attribute("aria-invalid") == "true"
        # Not a second copy of the message in a flash at the top.
        assert official.locator(".flash-list .flash--error").count() == 0
        # The language switch after an error leads back to the page, not to a 405.
        with official.expect_navigation():
            official.locator(".lang-switcher a[hreflang=en]").click()
        assert official.url.split("#")[0].endswith(f"/review/appeals/{number}")
        assert "Method Not Allowed" not in official.content()
        choose_language(official, live_server, "ru", f"/review/appeals/{number}")

    # The applicant's withdrawal without the confirmation box.
    tracker = new_page(PHONE)
    choose_language(tracker, live_server, "ru", "/track")
    tracker.fill("#number", number)
    tracker.fill("#code", code)
    with tracker.expect_navigation():
        tracker.locator("main button[type=submit]").click()
    tracker.locator("#withdraw summary").click()
    tracker.fill("#withdraw-reason", "Вопрос решился")
    with tracker.expect_navigation():
        tracker.locator("#withdraw button[type=submit]").click()
    summary = tracker.locator("#withdraw .error-summary")
    assert summary.locator("a[href='#withdraw-confirm']").count() == 1
    tracker.wait_for_function("document.activeElement.classList.contains('error-summary')")
    assert tracker.locator("#withdraw-confirm").get_attribute("aria-invalid") == "true"
    assert axe_violations(tracker) == []
    screenshot(tracker, "interface-ru-withdraw-error-phone")


def test_language_switch_keeps_typed_text_and_the_tracking_result(live_server, new_page):
    page = new_page(PHONE)
    choose_language(page, live_server, "ru", "/appeals/new")
    page.fill("#subject", "Тема, которую жалко потерять")
    page.fill("#text", "Длинный текст обращения, набранный с телефона.")
    with page.expect_navigation():
        page.locator(".lang-switcher a[hreflang=kk]").click()
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.input_value("#subject") == "Тема, которую жалко потерять"
    assert page.input_value("#text") == "Длинный текст обращения, набранный с телефона."

    number, code = file_appeal(new_page(PHONE), live_server, "ru", "Отслеживание")
    tracker = new_page(PHONE)
    choose_language(tracker, live_server, "ru", "/track")
    tracker.fill("#number", number)
    tracker.fill("#code", code)
    with tracker.expect_navigation():
        tracker.locator("main button[type=submit]").click()
    with tracker.expect_navigation():
        tracker.locator(".lang-switcher a[hreflang=en]").click()
    assert number in tracker.locator("main h1").inner_text()
    assert "Registered" in tracker.locator("main").inner_text()


def test_a_failed_filing_puts_the_focus_on_the_error_summary(live_server, new_page):
    page = new_page(PHONE)
    choose_language(page, live_server, "kk", "/appeals/new")
    assert page.locator("input[name=kind]:checked").count() == 0
    assert page.locator("input[name=language]:checked").count() == 0
    page.fill("#subject", "Тақырып")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    assert page.locator(".flash--error").count() == 0
    assert page.locator(".error-summary a[href='#kind']").count() == 1
    assert axe_violations(page) == []
    screenshot(page, "interface-kk-form-errors-phone")


def test_the_queue_shows_results_first_whole_rows_open_and_nothing_is_cut(live_server, new_page):
    for lang in ("kk", "ru", "en"):
        for viewport, name in ((PHONE, "phone"), (DESKTOP, "laptop")):
            page = new_page(viewport)
            log_in(page, live_server, "official@demo.kz", lang)
            page.goto(f"{live_server}/review/")
            summary = page.locator("details.filters > summary")
            assert re.search(r"\(\d+\)", summary.inner_text())
            assert page.locator("details.filters").get_attribute("open") is None
            first = page.locator("table.table--queue tbody tr").first
            # On a phone the first appeal is on the first screen, not 1,200 px down.
            assert first.bounding_box()["y"] < viewport["height"]
            # No inner scroll box; the executor column is inside the window.
            assert (
                page.evaluate("getComputedStyle(document.querySelector('.table-wrap')).overflowX")
                == "visible"
            )
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"]
            executor = page.locator(".queue__executor").first.bounding_box()
            assert executor["x"] + executor["width"] <= viewport["width"]
            screenshot(page, f"interface-{lang}-queue-{name}")
            if lang == "en" and name == "phone":
                assert axe_violations(page) == []
                first.locator("td").last.scroll_into_view_if_needed()
                box = first.bounding_box()
                number = first.locator("a.row-link").inner_text().strip()
                # A tap anywhere on the card opens the appeal (not only the 18 px link).
                with page.expect_navigation():
                    page.mouse.click(box["x"] + box["width"] - 20, box["y"] + box["height"] - 12)
                assert page.url.endswith(f"/review/appeals/{number}")
