"""The database errors that mean "try again", on SQLite and PostgreSQL alike.

The outage itself is played on PostgreSQL in test_database_outage.py; these pin down the
pieces it found wanting, without a proxy.
"""

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from reception.core.files import AttachmentStore
from tests.factories import PASSWORD, PDF_BYTES, make_user

MISSING_DATABASE = "sqlite:////nonexistent/dir/db.sqlite"


class DriverError(Exception):
    pass


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("SELECT 1", {}, DriverError("server closed the connection")), 503),
        (InterfaceError("SELECT 1", {}, DriverError("connection already closed")), 503),
        (DBAPIError("SELECT 1", {}, DriverError("lost"), connection_invalidated=True), 503),
        (IntegrityError("INSERT", {}, DriverError("duplicate key")), 500),
    ],
    ids=["operational", "interface", "invalidated", "integrity"],
)
def test_a_lost_connection_answers_503_whatever_the_driver_calls_it(make_app, error, status):
    other = make_app()

    @other.route("/database-error")
    def database_error():
        raise error

    response = other.test_client().get("/database-error", headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_signed_in_citizen_gets_the_503_page_not_the_log_in_form(client, make_app):
    make_user(email="signed.in@example.kz")
    answer = client.post("/login", data={"email": "signed.in@example.kz", "password": PASSWORD})
    assert answer.status_code == 302
    # The same browser, served by an app whose database is away.
    away = make_app(SQLALCHEMY_DATABASE_URI=MISSING_DATABASE).test_client()
    away.set_cookie("session", client.get_cookie("session").value)

    response = away.get("/my/appeals", headers={"Accept-Language": "ru"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Сервис временно недоступен" in html and "Traceback" not in html

    # Who is signed in cannot be checked, so no page pretends to know; a visitor's pages
    # that need no database still show.
    assert away.get("/", headers={"Accept-Language": "en"}).status_code == 503
    visitor = make_app(SQLALCHEMY_DATABASE_URI=MISSING_DATABASE).test_client()
    assert visitor.get("/", headers={"Accept-Language": "en"}).status_code == 200
    missing = visitor.get("/no/such/page", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and "Page not found" in missing.get_data(as_text=True)


def test_files_stay_when_the_connection_died_and_go_when_the_filing_was_refused(tmp_path):
    store = AttachmentStore(tmp_path)
    with pytest.raises(OperationalError), store.guard():
        kept, _ = store.save(PDF_BYTES)
        # The COMMIT may have reached the server before the connection died.
        raise OperationalError("COMMIT", {}, DriverError("server closed the connection"))
    with pytest.raises(ValueError), store.guard():
        removed, _ = store.save(PDF_BYTES)
        raise ValueError("refused")
    assert (tmp_path / kept).is_file()
    assert not (tmp_path / removed).exists()


def test_a_rate_limited_filing_while_the_database_is_away_answers_503(make_app):
    away = make_app(
        SQLALCHEMY_DATABASE_URI=MISSING_DATABASE, RATELIMIT_ENABLED=True, RATELIMIT_FILE="1 per day"
    ).test_client()
    answers = [
        away.post("/appeals/new", data={"subject": "x"}, headers={"Accept-Language": "en"})
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [503, 503]
    assert all("Traceback" not in a.get_data(as_text=True) for a in answers)


@pytest.mark.parametrize("channel", ["web", "api"])
def test_a_done_staff_action_is_answered_without_reading_after_its_commit(
    client, gone_after_commit, channel
):
    from datetime import UTC, datetime

    from reception.accounts.apikeys import create_api_key
    from reception.extensions import db
    from tests.factories import make_appeal, make_staff

    official = make_staff(role="official")
    appeal, _ = make_appeal(datetime(2026, 11, 17, 4, tzinfo=UTC))
    number = appeal.number
    if channel == "web":
        client.post("/login", data={"email": official.email, "password": PASSWORD})
        gone_after_commit.armed = True
        answer = client.post(f"/review/appeals/{number}/actions/take")
        ok = answer.status_code == 302
    else:
        _, secret = create_api_key(db.session, name="DMS", user=official, now=datetime.now(UTC))
        db.session.commit()
        gone_after_commit.armed = True
        answer = client.post(
            f"/api/v1/appeals/{number}/actions",
            json={"action": "take"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        ok = answer.status_code == 200 and answer.get_json()["appeal"]["status"] == "in_progress"
    assert gone_after_commit.committed and ok, answer.get_data(as_text=True)[:300]


def test_a_citizens_step_is_answered_without_reading_after_its_commit(client, gone_after_commit):
    from datetime import UTC, datetime

    from tests.factories import make_appeal

    citizen = make_user(email="owner@example.kz")
    appeal, _ = make_appeal(datetime(2026, 11, 17, 4, tzinfo=UTC), actor=citizen)
    number = appeal.number
    client.post("/login", data={"email": citizen.email, "password": PASSWORD})
    gone_after_commit.armed = True
    answer = client.post(f"/my/appeals/{number}/actions/withdraw", data={"confirm": "yes"})
    assert gone_after_commit.committed
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
