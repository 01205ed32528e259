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
        tracker.locator("main button[type=submit]:visible").last.click()
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
        tracker.locator("main button[type=submit]:visible").last.click()
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
        page.locator("main button[type=submit]:visible").last.click()
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


def test_an_operator_files_for_a_person_without_email_and_the_answer_goes_by_post(
    live_server, new_page
):
    operator = new_page(PHONE)
    log_in(operator, live_server, "operator@demo.kz", "ru")
    operator.goto(f"{live_server}/appeals/new")
    operator.check("input[name=channel][value=phone]")
    operator.check("input[name=kind][value=application]")
    operator.select_option("#category", "roads-transport")
    operator.select_option("#region", "KZ-71")
    operator.fill("#subject", "Яма у остановки")
    operator.fill("#text", "Заявительница сообщила по телефону о глубокой яме у остановки.")
    operator.fill("#full_name", "Петрова Анна Ивановна")
    operator.fill("#address", "Астана, проспект Абая 12, кв. 5")
    operator.check("input[name=language][value=ru]")
    with operator.expect_navigation():
        operator.locator("main button[type=submit]:visible").last.click()
    assert operator.url.endswith("/receipt"), operator.locator(".error-summary").inner_text()
    number = operator.locator("[data-registration-number]").inner_text().strip()
    assert (
        "Проспект" in operator.locator("main").inner_text()
        or "Абая 12" in operator.locator("main").inner_text()
    )
    assert axe_violations(operator) == []
    screenshot(operator, "interface-ru-operator-receipt-phone")

    official = new_page(DESKTOP)
    log_in(official, live_server, "official@demo.kz", "ru")
    official.goto(f"{live_server}/review/appeals/{number}")
    official.get_by_role("button", name="Принять в работу").click()
    official.locator("#action-answer summary").click()
    official.fill("#answer-text", "Яма заделана 3 декабря.")
    with official.expect_navigation():
        official.get_by_role("button", name="Отправить ответ").click()
    task = official.locator("#action-notified")
    assert "Ответ дан" in task.inner_text() or "Дан ответ" in task.inner_text()
    with official.expect_navigation():
        task.locator("a").first.click()
    letter = official.locator("main").inner_text()
    assert "Яма заделана 3 декабря." in letter and number in letter
    assert "Петрова Анна Ивановна" in letter
    screenshot(official, "interface-ru-letter-laptop")
    # The queue says so above its results, whatever its filters.
    official.goto(f"{live_server}/review/")
    assert number in official.locator("section.action-banner").inner_text()
    assert axe_violations(official) == []
    screenshot(official, "interface-ru-queue-to-notify-laptop")
    official.goto(f"{live_server}/review/appeals/{number}")
    official.check("#notified-by")
    with official.expect_navigation():
        official.locator("#action-notified button[type=submit]").click()
    assert official.locator("#action-notified li").count() == 0
    assert axe_violations(official) == []


def test_the_dashboard_trend_has_every_week_and_local_dates(live_server, new_page):
    admin = new_page(DESKTOP)
    log_in(admin, live_server, "admin@demo.kz", "ru")
    admin.goto(f"{live_server}/monitoring/")
    data = admin.evaluate("JSON.parse(document.getElementById('chart-data').textContent)")
    weeks = data["trend"]["weeks"]
    assert len(weeks) >= 2
    from datetime import date, timedelta

    days = [date.fromisoformat(w) for w in weeks]
    assert all(b - a == timedelta(days=7) for a, b in zip(days, days[1:], strict=False))
    assert not any(re.match(r"\d{4}-\d{2}-\d{2}", label) for label in data["trend"]["labels"])
    assert admin.evaluate("Chart.getChart('trend-chart').data.datasets.every(d => d.tension === 0)")
    assert "из отвеченных" in admin.locator("main").inner_text() or "of those answered" in (
        admin.locator("main").inner_text()
    )
    assert axe_violations(admin) == []
    screenshot(admin, "interface-ru-dashboard-laptop")


def test_dashboard_tables_are_not_clipped_at_1366(live_server, new_page):
    for lang in ("kk", "ru", "en"):
        admin = new_page(DESKTOP)
        log_in(admin, live_server, "admin@demo.kz", lang)
        admin.goto(f"{live_server}/monitoring/")
        clipped = admin.evaluate(
            "Array.from(document.querySelectorAll('.table-wrap'))"
            ".filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.scrollWidth - w.clientWidth)"
        )
        assert clipped == [], lang
        screenshot(admin, f"interface-{lang}-dashboard-laptop")


def test_my_appeals_banner_and_email_link_straight_to_the_appeal(live_server, new_page):
    citizen = new_page(PHONE)
    log_in(citizen, live_server, "citizen@demo.kz", "ru")
    number, _code = file_appeal(citizen, live_server, "ru", "Нужен ответ заявителя")
    official = new_page(DESKTOP)
    log_in(official, live_server, "official@demo.kz", "ru")
    official.goto(f"{live_server}/review/appeals/{number}")
    with official.expect_navigation():
        official.get_by_role("button", name="Принять в работу").click()
    official.locator("#action-request_info summary").click()
    official.fill("#ri-text", "Укажите номер квартиры.")
    with official.expect_navigation():
        official.locator("#action-request_info button[type=submit]").click()

    citizen.goto(f"{live_server}/my/appeals")
    banner = citizen.locator(".action-banner")
    assert banner.is_visible() and number in banner.inner_text()
    # The banner is above the list, and the waiting appeal is the first row.
    assert banner.bounding_box()["y"] < citizen.locator("table").bounding_box()["y"]
    waiting = banner.locator("li").count()
    first_rows = [citizen.locator("tbody tr").nth(i).inner_text() for i in range(waiting)]
    assert any(number in row for row in first_rows)
    assert axe_violations(citizen) == []
    screenshot(citizen, "interface-ru-my-appeals-phone")
    # The link in the e-mail opens the appeal, not a form asking for the code.
    citizen.goto(f"{live_server}/track?number={number}")
    assert citizen.url.split("#")[0].endswith(f"/my/appeals/{number}")


def test_static_files_come_compressed_and_cached_for_a_year(live_server, new_page):
    """Item 11: a slow phone line waits for nothing twice; the form's first view is small."""
    page = new_page(PHONE)
    sizes: dict[str, int] = {}
    statics = []

    def measure(response):
        headers = response.all_headers()
        body = response.body() if response.status == 200 else b""
        # What crossed the wire: the body as sent (compressed when it was).
        sizes[response.url] = int(headers.get("content-length") or len(body))
        if "/static/" in response.url:
            statics.append((response.url, headers))

    page.on("response", measure)
    page.goto(f"{live_server}/appeals/new")
    page.wait_for_load_state("networkidle")
    assert statics, "the form links its stylesheet and scripts"
    for url, headers in statics:
        assert re.search(r"[?&]v=[0-9a-f]{12}", url), url
        assert headers["cache-control"] == "public, max-age=31536000, immutable", url
        if url.split("?")[0].endswith((".css", ".js")) and sizes[url] >= 512:
            assert headers.get("content-encoding") == "gzip", url
    page_headers = page.request.get(f"{live_server}/appeals/new").headers
    assert "content-encoding" not in page_headers  # HTML carries the CSRF token: never compressed
    assert sum(sizes.values()) < 30 * 1024, sizes
