"""The appeal form steers no one: no legal choice made for the person, optional fields
said to be optional, and registration says every error at once (issue 15)."""

import re


def test_the_kind_and_the_answer_language_are_not_preselected(client):
    html = client.get("/appeals/new").get_data(as_text=True)
    for name in ("kind", "language"):
        radios = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert radios and not any("checked" in radio for radio in radios)


def test_optional_fields_are_marked_and_topic_and_title_differ(client):
    html = client.get("/appeals/new").get_data(as_text=True)
    for field in ("authority", "iin", "phone", "attachments"):
        label = re.search(rf'<label class="field__label" for="{field}">(.*?)</label>', html, re.S)
        assert "(optional)" in label.group(1), field
    assert ">Short title of the appeal" in html


def test_a_failed_filing_has_the_summary_and_no_flash_repeating_it(client):
    response = client.post("/appeals/new", data={"subject": "Only a title"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "error-summary" in html
    assert "flash--error" not in html


def test_registration_shows_every_error_at_once(client):
    response = client.post(
        "/register",
        data={
            "full_name": "",
            "email": "not-an-address",
            "password": "short",
            "password_confirm": "",
        },
    )
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    for field in ("#full_name", "#email", "#password", "#password_confirm"):
        assert f'href="{field}"' in summary, field
