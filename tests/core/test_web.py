"""The floor of every view: the unit of work, its one refusal type and the settings."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from reception.appeals.workflow import WorkflowSettings
from reception.core.refusals import Refused
from reception.core.web import attempt, current_settings, perform, refresh_settings
from reception.directory.models import HolidayOverride
from reception.extensions import db
from tests.factories import store

PDF = b"%PDF-1.4 a small file"


def _holidays() -> int:
    return db.session.scalar(select(func.count()).select_from(HolidayOverride))


def _add_holiday():
    from datetime import date

    db.session.add(HolidayOverride(day=date(2026, 12, 31), kind="day_off", note="test"))
    db.session.flush()


def _refused_after_writing():
    _add_holiday()
    raise Refused("invalid", "Too late.", "day")


def test_perform_commits_and_returns_what_the_work_read(app):
    with app.test_request_context("/admin/holidays", method="POST"):
        assert perform(lambda: _add_holiday() or "read before the commit") == (
            "read before the commit"
        )
        db.session.rollback()  # nothing left to roll back: it was committed
    assert _holidays() == 1


def test_a_refusal_is_rolled_back_and_shown_by_the_view(app):
    with app.test_request_context("/appeals/new", method="POST"):
        with pytest.raises(HTTPException) as shown:
            perform(_refused_after_writing, refused=lambda r: (f"{r.field}: {r.message}", 422))
        response = shown.value.get_response()
    assert response.status_code == 422
    assert response.get_data(as_text=True) == "day: Too late."
    assert _holidays() == 0


def test_a_refusal_on_a_page_without_a_renderer_is_flashed_and_redirected_back(app):
    with app.test_request_context("/admin/holidays?page=2", method="POST"):
        with pytest.raises(HTTPException) as shown:
            perform(_refused_after_writing)
        response = shown.value.get_response()
        assert get_flashed_messages(with_categories=True) == [("error", "Too late.")]
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/holidays?page=2"


def test_a_refusal_under_the_api_is_its_json_error(app):
    with app.test_request_context("/api/v1/appeals/X/actions", method="POST"):
        with pytest.raises(HTTPException) as shown:
            perform(_refused_after_writing)
        response = app.handle_http_exception(shown.value)
    response = app.make_response(response)
    assert response.status_code == 422
    assert response.get_json() == {
        "error": {"code": "invalid", "message": "Too late.", "field": "day"}
    }


def test_attempt_says_how_it_went(app):
    with app.test_request_context("/admin/holidays", method="POST"):
        outcome = attempt(_refused_after_writing)
    assert not outcome.done and outcome.refused.errors == {"day": "Too late."}
    assert _holidays() == 0


def test_files_written_by_a_failed_unit_are_removed(app):
    files = store()
    written = []

    def save_then_refuse():
        written.append(files.save(PDF)[0])
        raise Refused("conflict", "Changed meanwhile.")

    with app.test_request_context("/appeals/new", method="POST"):
        outcome = attempt(save_then_refuse, files=files)
    assert outcome.refused.code == "conflict"
    assert written and not files.path_of(written[0]).exists()


def test_another_error_is_rolled_back_and_raised(app):
    def fails():
        _add_holiday()
        raise LookupError("boom")

    with app.test_request_context("/admin/holidays", method="POST"), pytest.raises(LookupError):
        perform(fails)
    assert _holidays() == 0


def test_a_form_refusal_keeps_every_field():
    refused = Refused.fields({"subject": "Too long.", "_": "And more."})
    assert refused.code == "invalid" and refused.field == "subject"
    assert refused.errors == {"subject": "Too long.", "_": "And more."}
    assert Refused("not_allowed", "No.").errors == {"_": "No."}


def test_settings_are_built_once_and_again_only_on_request(app):
    with app.test_request_context("/"):
        first = current_settings()
        assert isinstance(first, WorkflowSettings)
        assert current_settings() is first
        app.config["RECEPTION_NUMBER_PREFIX"] = "AK"
        try:
            assert current_settings().filing.number_prefix == "RC"
            refresh_settings(app)
            assert current_settings().filing.number_prefix == "AK"
        finally:
            app.config["RECEPTION_NUMBER_PREFIX"] = "RC"
            refresh_settings(app)
        assert current_settings().filing.number_prefix == "RC"


def test_another_app_has_its_own_settings(app, make_app):
    other = make_app(RECEPTION_NUMBER_PREFIX="ZZ")
    with other.test_request_context("/"):
        assert current_settings().filing.number_prefix == "ZZ"
    with app.test_request_context("/"):
        assert current_settings().filing.number_prefix == "RC"


def test_a_refusal_on_a_post_only_address_goes_back_to_the_page_it_was_sent_from(make_app):
    other = make_app()

    @other.route("/probe/delete", methods=["POST"])
    def probe_delete():
        def work():
            raise Refused("not_allowed", "Not now.")

        perform(work)
        return "done"

    client = other.test_client()
    back = client.post("/probe/delete", headers={"Referer": "http://localhost/admin/holidays?x=1"})
    assert back.status_code == 303
    assert back.headers["Location"] == "/admin/holidays?x=1"
    # Another site's page, or none: home, never a 405 of the POST-only address.
    for referrer in ("https://evil.example/page", None):
        headers = {"Referer": referrer} if referrer else {}
        home = client.post("/probe/delete", headers=headers)
        assert home.headers["Location"] == "/", referrer
