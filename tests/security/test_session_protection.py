"""Session protection applies to sessions that hold a log-in; visitors' are left alone."""

from tests.factories import PASSWORD, appeal_data, make_user


def test_a_visitors_session_is_not_rewritten_on_every_page(client):
    # Filing gives this browser a session (the receipt and the right to see the appeal).
    assert client.post("/appeals/new", data=appeal_data()).status_code == 302
    receipt = client.get("/")
    assert receipt.status_code == 200
    assert "Set-Cookie" not in receipt.headers


def test_a_logged_in_session_keeps_working_page_after_page(client):
    make_user(email="citizen@example.kz")
    client.post("/login", data={"email": "citizen@example.kz", "password": PASSWORD})
    for _ in range(3):
        assert client.get("/my/appeals").status_code == 200
