"""End-to-end flows in a real browser, asserting what a person sees."""

import re
from pathlib import Path

from tests.e2e.conftest import PHONE, choose_language, log_in, screenshot

SCAN = Path(__file__).parent / "scan.pdf"


def file_appeal(page, base, lang, subject):
    choose_language(page, base, lang, "/appeals/new")
    page.select_option("#category", "housing-utilities")
    page.check("input[name=kind][value=application]")
    page.check(f"input[name=language][value={lang}]")
    page.select_option("#region", "KZ-71")
    page.fill("#subject", subject)
    page.fill("#text", "Үш аптадан бері подъезде жарық жоқ. Шара қабылдауды сұраймын.")
    page.fill("#full_name", "Асқар Тұрсынұлы Мұқанов")
    page.fill("#iin", "900101300017")
    page.fill("#email", "askar@example.kz")
    page.fill("#phone", "+7 701 234 56 78")
    page.fill("#address", "Астана, Кенесары көшесі 40, 12")
    page.set_input_files("#attachments", str(SCAN))
    page.locator("main button[type=submit]:visible").last.click()
    page.wait_for_url(re.compile(r".*/receipt$"))
    number = page.locator("[data-registration-number]").inner_text().strip()
    code = page.locator("[data-access-code]").inner_text().strip()
    return number, code


def test_a_whole_appeal_from_filing_to_complaint(live_server, new_page):
    # A citizen files in Kazakh on a phone, with a scan, and keeps the receipt.
    citizen = new_page(PHONE)
    number, code = file_appeal(citizen, live_server, "kk", "Подъезде жарық жоқ")
    assert re.fullmatch(r"RC-\d{4}-\d{8}", number)
    receipt = citizen.locator("main").inner_text()
    assert "Тіркеу талоны" in receipt and "Астана қаласының әкімдігі" in receipt
    screenshot(citizen, "flow-kk-receipt-phone")

    # Later, from another device, they track it with the number and the code.
    tracker = new_page(PHONE)
    choose_language(tracker, live_server, "kk", "/track")
    tracker.fill("#number", number)
    tracker.fill("#code", code)
    tracker.locator("main button[type=submit]:visible").last.click()
    status = tracker.locator("main").inner_text()
    assert "Тіркелді" in status and "scan.pdf" in tracker.content()

    # An official takes it into work and answers in Russian.
    official = new_page()
    log_in(official, live_server, "official@demo.kz", "ru")
    official.goto(f"{live_server}/review/appeals/{number}")
    official.get_by_role("button", name="Принять в работу").click()
    assert "На рассмотрении" in official.locator("main").inner_text()
    official.locator("#action-answer summary").click()
    official.fill("#answer-text", "Освещение в подъезде восстановлено 20 ноября.")
    official.get_by_role("button", name="Отправить ответ").click()
    assert "Дан ответ" in official.locator("main").inner_text()
    screenshot(official, "flow-ru-official-answered")

    # The citizen reads the answer, rates it and complains about it.
    tracker.goto(f"{live_server}/my/appeals/{number}")
    page_text = tracker.locator("main").inner_text()
    assert "Освещение в подъезде восстановлено" in page_text
    assert "Жауап берілді" in page_text
    tracker.get_by_label("2", exact=True).check()
    tracker.fill("#rate-comment", "Жарық әлі де жоқ")
    tracker.locator("#rate button[type=submit]").click()
    assert "Жабылды" in tracker.locator("main").inner_text()
    tracker.locator("#complain summary").click()
    tracker.fill("#complain-text", "Жарық әлі де жоқ, жауап шындыққа сәйкес келмейді.")
    tracker.locator("#complain button[type=submit]").click()
    tracker.wait_for_url(re.compile(r".*/receipt$"))
    complaint = tracker.locator("[data-registration-number]").inner_text().strip()
    assert complaint != number
    assert "Шағым" in tracker.locator("main").inner_text()

    # The administrator sees it on the dashboard.
    admin = new_page()
    log_in(admin, live_server, "admin@demo.kz", "en")
    admin.goto(f"{live_server}/monitoring/")
    dashboard = admin.locator("main").inner_text()
    assert "On-time share (open overdue appeals count against it)" in dashboard
    assert "Astana City Akimat" in dashboard
    assert admin.locator("#trend-chart").is_visible()


def test_operator_registers_a_phone_appeal(live_server, new_page):
    operator = new_page()
    log_in(operator, live_server, "operator@demo.kz", "ru")
    operator.goto(f"{live_server}/appeals/new")
    operator.get_by_label("По телефону").check()
    operator.select_option("#category", "roads-transport")
    operator.check("input[name=kind][value=application]")
    operator.check("input[name=language][value=ru]")
    operator.select_option("#region", "KZ-71")
    operator.fill("#subject", "Яма на остановке")
    operator.fill("#text", "Гражданин сообщил по телефону о глубокой яме у остановки.")
    operator.fill("#full_name", "Иванова Мария Петровна")
    operator.fill("#email", "maria@example.kz")
    operator.fill("#address", "Астана, проспект Абая 12")
    operator.locator("main button[type=submit]:visible").last.click()
    operator.wait_for_url(re.compile(r".*/receipt$"))
    number = operator.locator("[data-registration-number]").inner_text().strip()
    operator.goto(f"{live_server}/review/appeals/{number}")
    assert "Телефон" in operator.locator("main").inner_text()


def test_form_errors_are_shown_and_nothing_typed_is_lost(live_server, new_page):
    page = new_page(PHONE)
    choose_language(page, live_server, "ru", "/appeals/new")
    page.fill("#subject", "Тема без текста")
    page.fill("#email", "not-an-address")
    page.set_input_files("#attachments", str(SCAN))
    page.locator("main button[type=submit]:visible").last.click()
    assert page.locator(".error-summary").is_visible()
    assert "name@example.kz" in page.locator("main").inner_text()
    assert page.input_value("#subject") == "Тема без текста"
    assert page.input_value("#email") == "not-an-address"
    # The scan stays attached: it is listed, ticked, and goes with the corrected form.
    kept = page.locator(".kept-files")
    assert "scan.pdf" in kept.inner_text() and kept.locator("input").is_checked()
    screenshot(page, "flow-ru-form-errors-phone")

    page.select_option("#category", "housing-utilities")
    page.check("input[name=kind][value=application]")
    page.check("input[name=language][value=ru]")
    page.select_option("#region", "KZ-71")
    page.fill("#text", "Во дворе не вывозят мусор вторую неделю.")
    page.fill("#full_name", "Дана Сейтова")
    page.fill("#email", "dana@example.kz")
    page.fill("#address", "Астана, Абая 1")
    page.locator("main button[type=submit]:visible").last.click()
    page.wait_for_url(re.compile(r".*/receipt$"))
    number = page.locator("[data-registration-number]").inner_text().strip()
    page.goto(f"{live_server}/my/appeals/{number}")
    assert "scan.pdf" in page.content()
