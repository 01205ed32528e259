"""The status page explains an unchanged appeal's term once; a change shows at once."""

from __future__ import annotations

import re
from datetime import timedelta

from reception.extensions import db
from tests.appeals.test_web import TUESDAY_MORNING
from tests.factories import make_appeal
from tests.querycount import count_queries


def _page(response) -> str:  # less the CSRF tokens, signed anew with the time
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def _status(browser, number):
    return browser.get(f"/my/appeals/{number}", headers={"Accept-Language": "en"})


def test_status_page_reuses_the_term_and_shows_a_change_at_once(app):
    appeal, code = make_appeal(TUESDAY_MORNING)
    browser = app.test_client()
    assert browser.post("/track", data={"number": appeal.number, "code": code}).status_code == 200
    first = _status(browser, appeal.number)
    assert first.status_code == 200
    assert first.headers["Cache-Control"].startswith("no-store")
    with count_queries() as again:
        second = _status(browser, appeal.number)
    assert _page(second) == _page(first)
    assert 'name="csrf_token" value="csrf-' not in second.get_data(as_text=True)
    # Served from the kept page: the appeal's keys (read on the driver, core.database.
    # KeyRead) and the calendar, nothing else (no events).
    assert len(again) == 2
    # The calendar's entries once, not once for the calendar and once for the days' names.
    assert sum("FROM holiday_overrides" in q for q in again) == 1

    version = appeal.version
    new_due = appeal.due_on + timedelta(days=14)
    appeal.due_on = new_due
    db.session.commit()
    assert appeal.version == version + 1
    changed = _status(browser, appeal.number).get_data(as_text=True)
    assert 'name="csrf_token" value="csrf-' not in changed
    assert _page(_status(browser, appeal.number)) != _page(first)
    assert new_due.strftime("%B %-d, %Y").replace(" 0", " ") in changed


def test_calendar_entries_are_read_again_after_a_flush(app):
    from reception.directory.models import HolidayOverride
    from reception.directory.queries import override_rows

    with app.test_request_context("/"):
        before = override_rows(db.session)
        db.session.add(HolidayOverride(day=TUESDAY_MORNING.date(), kind="day_off", note="x"))
        db.session.flush()
        after = override_rows(db.session)
        db.session.rollback()
    assert len(after) == len(before) + 1
