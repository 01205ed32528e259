"""The citizen's pages: the form, the receipt, tracking, and bad input."""

import re

import pytest
from sqlalchemy import func, select

from reception.appeals.models import Appeal, Attachment
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, PDF_BYTES, appeal_data, file_upload, make_appeal, make_user


def receipt_values(html: str) -> tuple[str, str]:
    number = re.search(r'data-registration-number="([^"]+)"', html).group(1)
    code = re.search(r'data-access-code="([^"]+)"', html).group(1)
    return number, code


def file_via_form(client, **overrides):
    return client.post(
        "/appeals/new", data=appeal_data(**overrides), content_type="multipart/form-data"
    )


def test_form_offers_every_contract_field(client):
    html = client.get("/appeals/new").get_data(as_text=True)
    for name in (
        "kind",
        "category",
        "region",
        "authority",
        "subject",
        "text",
        "full_name",
        "iin",
        "email",
        "phone",
        "address",
        "language",
        "publish_consent",
        "attachments",
    ):
        assert f'name="{name}"' in html, name
    assert 'enctype="multipart/form-data"' in html


def test_form_speaks_the_browsers_language(client):
    html = client.get("/appeals/new", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(True)
    assert '<html lang="ru">' in html
    assert "Подать обращение" in html


def test_language_switcher_remembers_the_choice(client):
    response = client.get("/lang/kk?next=/track")
    assert response.status_code == 302 and response.headers["Location"] == "/track"
    html = client.get("/track", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="kk">' in html


def test_language_switcher_never_redirects_off_site(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_filing_through_the_form_shows_the_receipt(client):
    response = file_via_form(client, attachments=[file_upload(PDF_BYTES, "scan.pdf")])
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    number, code = receipt_values(html)
    assert re.fullmatch(r"RC-\d{4}-\d{8}", number)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    assert appeal.authority.code == "astana-akimat"
    assert db.session.scalar(select(func.count(Attachment.id))) == 1
    assert appeal.channel == "web"


def test_errors_are_shown_beside_fields_and_everything_typed_is_kept(client):
    response = file_via_form(
        client, email="broken", subject="", text="Мой текст <b>важный</b>", full_name="Иванов Иван"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an e-mail address like name@example.kz." in html
    assert 'value="broken"' in html
    assert 'value="Иванов Иван"' in html
    assert "Мой текст &lt;b&gt;важный&lt;/b&gt;" in html
    assert db.session.scalar(select(func.count(Appeal.id))) == 0


def test_errors_are_in_the_users_language(client):
    client.get("/lang/ru")
    html = file_via_form(client, email="broken").get_data(as_text=True)
    assert "name@example.kz" in html
    assert "Enter an e-mail address" not in html


def test_script_in_the_text_is_shown_as_text_never_run(client):
    response = file_via_form(client, subject="<script>alert(1)</script>")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_filled_honeypot_never_drops_an_appeal_but_flags_it_for_staff(client):
    response = file_via_form(client, website="http://spam.example")
    assert response.headers["Location"].endswith("/receipt")
    appeal = db.session.scalar(select(Appeal))
    assert appeal.events[0].data["honeypot_filled"] is True


def test_receipt_is_not_shown_to_another_browser(client, app):
    response = file_via_form(client)
    other = app.test_client()
    assert other.get(response.headers["Location"]).status_code == 404


def test_tracking_with_number_and_code_shows_status_and_timeline(client, app):
    appeal, code = make_appeal(TUESDAY_MORNING)
    browser = app.test_client()
    response = browser.post(
        "/track",
        data={"number": appeal.number.lower(), "code": code},
        headers={"Accept-Language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert appeal.number in html
    assert "Registered" in html and "Appeal registered" in html
    assert "December 8, 2026" in html
    # Having proved the code, the browser may open the status page again.
    assert browser.get(f"/my/appeals/{appeal.number}").status_code == 200


def test_wrong_code_and_unknown_number_get_the_same_answer(client):
    appeal, _ = make_appeal(TUESDAY_MORNING)
    wrong_code = client.post("/track", data={"number": appeal.number, "code": "AAAAA-AAAAA"})
    unknown = client.post("/track", data={"number": "RC-2026-99999999", "code": "AAAAA-AAAAA"})
    garbage = client.post("/track", data={"number": "'; DROP TABLE appeals; --" * 50, "code": ""})
    assert wrong_code.status_code == unknown.status_code == garbage.status_code == 404

    def body(response):  # the page, less the echo of what was typed
        return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))

    assert body(wrong_code) == body(unknown)


def test_tracking_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_TRACK="3 per minute")
    browser = limited.test_client()
    codes = [
        browser.post("/track", data={"number": "x", "code": "y"}).status_code for _ in range(4)
    ]
    assert codes[:3] == [404, 404, 404]
    assert codes[3] == 429


def test_filing_rate_limit_keeps_what_was_typed(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_FILE="1 per minute")
    browser = limited.test_client()
    assert browser.post("/appeals/new", data=appeal_data()).status_code == 302
    again = browser.post("/appeals/new", data=appeal_data(subject="Second one"))
    assert again.status_code == 429
    html = again.get_data(as_text=True)
    assert 'value="Second one"' in html and "Please wait a minute" in html


def test_forged_csrf_token_is_refused_with_a_message(make_app):
    guarded = make_app(WTF_CSRF_ENABLED=True)
    response = guarded.test_client().post(
        "/appeals/new", data={**appeal_data(), "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_appeal_filed_while_logged_in_appears_in_my_appeals(client):
    make_user(email="citizen@example.kz")
    client.post("/login", data={"email": "citizen@example.kz", "password": PASSWORD})
    response = file_via_form(client, subject="Mine")
    number = response.headers["Location"].split("/")[2]
    html = client.get("/my/appeals").get_data(as_text=True)
    assert number in html and "Mine" in html


def test_citizen_cannot_open_another_citizens_appeal(client, app):
    owner = make_user(email="owner@example.kz")
    make_user(email="other@example.kz")
    appeal, _ = make_appeal(TUESDAY_MORNING, actor=owner)
    client.post("/login", data={"email": "other@example.kz", "password": PASSWORD})
    assert client.get(f"/my/appeals/{appeal.number}").status_code == 404
    assert client.get(f"/appeals/{appeal.number}/receipt").status_code == 404
    assert appeal.number not in client.get("/my/appeals").get_data(as_text=True)


def test_attachment_is_downloaded_only_by_those_who_may_see_the_appeal(client, app):
    response = file_via_form(client, attachments=[file_upload(PDF_BYTES, "scan.pdf")])
    number = response.headers["Location"].split("/")[2]
    attachment = db.session.scalar(select(Attachment))
    url = f"/appeals/{number}/attachments/{attachment.id}"
    download = client.get(url)
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    assert "attachment" in download.headers["Content-Disposition"]
    assert app.test_client().get(url).status_code == 404


@pytest.mark.parametrize("url", ["/", "/appeals/new", "/track", "/login", "/register"])
def test_public_pages_render_in_every_language(client, url):
    for lang in ("kk", "ru", "en"):
        client.get(f"/lang/{lang}")
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_unknown_page_gets_a_translated_404(client):
    client.get("/lang/ru")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)
