"""The status page of a tracked appeal is kept whole for browsers without an account, with
each browser's own CSRF token filled in; a change, a message or an account is never served
from it."""

from __future__ import annotations

import re

from reception.extensions import db
from tests.appeals.test_web import TUESDAY_MORNING
from tests.factories import make_appeal
from tests.querycount import count_queries

TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def _tracked(app, appeal, code, language="en"):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert browser.post("/track", data={"number": appeal.number, "code": code}).status_code == 200
    return browser


def test_two_browsers_get_the_kept_page_each_with_its_own_token(app):
    appeal, code = make_appeal(TUESDAY_MORNING)
    first, second = _tracked(app, appeal, code), _tracked(app, appeal, code)
    one = first.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    two = second.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert "csrf-" not in one and "csrf-" not in two
    tokens_one, tokens_two = set(TOKEN.findall(one)), set(TOKEN.findall(two))
    assert tokens_one and tokens_two and tokens_one.isdisjoint(tokens_two)
    assert TOKEN.sub("", one) == TOKEN.sub("", two)
    assert app.extensions.get("reception_status_pages")
    # Each token is the browser's own: an action sent with it is accepted as a form.
    token = next(iter(tokens_one))
    answer = first.post(
        f"/my/appeals/{appeal.number}/actions/withdraw",
        data={"csrf_token": token, "reason": "Solved", "confirm": "yes"},
    )
    assert answer.status_code in (200, 302, 303)
    db.session.expire_all()
    assert appeal.status == "withdrawn"
    # The change shows at once, to the other browser too.
    after = second.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert TOKEN.sub("", after) != TOKEN.sub("", two)


def test_a_waiting_message_and_the_language_are_never_mixed_up(app):
    appeal, code = make_appeal(TUESDAY_MORNING)
    english = _tracked(app, appeal, code, "en")
    russian = _tracked(app, appeal, code, "ru")
    en_page = english.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    ru_page = russian.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert '<html lang="en">' in en_page and '<html lang="ru">' in ru_page
    # A message waiting in the session is shown, not a page kept without it.
    with english.session_transaction() as saved:
        saved["_flashes"] = [("info", "A message for this browser only")]
    flashed = english.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert "A message for this browser only" in flashed
    again = russian.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert "A message for this browser only" not in again


def test_a_kept_page_is_found_from_the_appeals_keys_and_only_by_its_browser(app, client):
    """Served from the appeal's keys alone (one query of plain columns, no object), and only
    to a browser that tracked it: another gets the usual 404."""
    appeal, code = make_appeal(TUESDAY_MORNING)
    browser = _tracked(app, appeal, code)
    first = browser.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    with count_queries() as statements:  # the driver's reads (core.database.KeyRead) too
        again = browser.get(f"/my/appeals/{appeal.number}").get_data(as_text=True)
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    reads = [s for s in statements if "FROM appeals" in s]
    assert len(reads) == 1 and "appeals.text" not in reads[0]
    assert client.get(f"/my/appeals/{appeal.number}").status_code == 404
