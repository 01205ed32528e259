"""Bad input of every kind gets a clear answer, never a server error."""

import pytest

from tests.factories import appeal_data

LONG = "я" * 100_000


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": ["a", "b"], "category": LONG, "region": "\x00"},
        {**appeal_data(), "subject": LONG, "text": LONG, "full_name": LONG, "address": LONG},
        {**appeal_data(), "email": "a@" + "b" * 300 + ".kz", "phone": LONG[:30]},
        {**appeal_data(), "iin": "12345678901234567890", "publish_consent": "maybe"},
        {**appeal_data(), "attachments": "not a file", "language": "<script>"},
        {**appeal_data(), "applicant_type": "robot", "authority": "'; DROP TABLE appeals;--"},
    ],
)
def test_appeal_form_never_fails_on_garbage(client, data):
    response = client.post("/appeals/new", data=data)
    assert response.status_code in (302, 400, 422)  # 400: a NUL character, refused outright


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("post", "/track", {}),
        ("post", "/track", {"number": LONG, "code": LONG}),
        ("get", "/track?number=" + "x" * 5000, None),
        ("post", "/login", {}),
        ("post", "/login", {"email": LONG, "password": LONG}),
        (
            "post",
            "/register",
            {
                "email": "x" * 400 + "@example.kz",
                "password": "p" * 400,
                "password_confirm": "p" * 400,
                "full_name": LONG,
            },
        ),
        ("get", "/lang/xx?next=javascript:alert(1)", None),
        ("get", "/appeals/%00/receipt", None),
        ("get", "/my/appeals/" + "9" * 500, None),
        ("get", "/appeals/RC-2026-00000001/attachments/99999999999999999999999", None),
    ],
)
def test_other_pages_never_fail_on_garbage(client, method, url, data):
    response = getattr(client, method)(url, data=data)
    assert response.status_code < 500


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("post", "/login", {"email": "a\x00@b.kz", "password": "x"}),
        ("post", "/appeals/new", {"subject": "a\x00b"}),
        ("get", "/review/?q=%00", None),
        ("get", "/open311/v2/requests.json?service_code=la%00nd", None),
        ("get", "/open311/v2/services/la%00nd.json", None),
    ],
)
def test_nul_characters_are_refused_cleanly(client, method, url, data):
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 400
