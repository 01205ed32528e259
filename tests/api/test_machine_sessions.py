"""The machine interfaces have no session (core/sessions.py): no answer on them, an error
one included, may try to write to it, whatever cookie a browser sends along."""

import pytest
from flask_login.utils import encode_cookie

from tests.factories import PASSWORD, make_user

URLS = [
    ("GET", "/open311/v2/requests/NOPE.json"),
    ("GET", "/open311/v2/nothing-here"),
    ("GET", "/open311/whatever.html"),
    ("DELETE", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.json"),
    ("GET", "/open311/v2/requests.json?page=0"),
    ("GET", "/api/v1/appeals"),
    ("GET", "/api/nothing"),
    ("PUT", "/api/v1/appeals"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/openapi.json"),
]


@pytest.mark.parametrize("method,url", URLS)
@pytest.mark.parametrize("cookies", ["none", "logged_in", "remember", "forged_remember"])
def test_machine_paths_never_500(app, client, method, url, cookies):
    if cookies in ("logged_in", "remember"):
        # An official: the two-step check runs for staff before every request.
        user = make_user(role="official", email="o@example.kz", authority_code="astana-akimat")
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
    if cookies == "remember":
        with app.test_request_context():
            client.set_cookie("remember_token", encode_cookie(str(user.id)))
    if cookies == "forged_remember":
        client.set_cookie("remember_token", "1|deadbeef")
    response = client.open(url, method=method)
    assert response.status_code < 500, (response.status_code, response.data[:300])
