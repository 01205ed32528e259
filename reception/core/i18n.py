"""Which language a page speaks, and how dates look in it."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from flask import current_app, g, has_request_context, request, session
from flask_babel import (
    format_date,
    format_decimal,
    format_time,
    get_locale,
    ngettext,
)
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from reception.core.sessions import MACHINE_PATHS
from reception.domain.workflow import LANGUAGES


class LazyText(LazyString):
    """A message translated when it is shown, and always plain text.

    Flask-Babel's lazy strings declare themselves HTML (`__html__` returns the text as it
    is), so a page printed a message with a filled-in value, and a flashed one came back
    from the session cookie as Markup, unescaped: `?authority=<meta ...>` put markup into
    a logged-in head's page. This one is escaped wherever it is placed into HTML.
    """

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> LazyText:
    """Flask-Babel's lazy_gettext, as text that pages escape (see LazyText)."""
    return LazyText(_, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> LazyText:
    return LazyText(ngettext, singular, plural, num, **variables)


@lru_cache(maxsize=256)
def browser_language(header: str) -> str | None:
    """The best of our languages for a browser's Accept-Language header, or None.

    Browsers send a handful of different headers, each on every request: the answer is
    kept per header (at most 256 of them, so that odd headers cannot fill the memory).
    """
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES)


def _browser_language(asked) -> str | None:
    header = asked.headers.get("Accept-Language", "")
    return browser_language(header) if header else None


@lru_cache(maxsize=16)
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def babel_locale_selector() -> Locale:
    """Flask-Babel's selector: the language of select_locale, as Babel's Locale, made once
    per language rather than parsed again on every request."""
    return _babel_locale(select_locale())


def select_locale() -> str:
    """Pick the language: an explicit choice, then the account's, then the browser's."""
    languages = LANGUAGES
    if not has_request_context():
        # Jobs and the command line report in English; e-mails force their own locale.
        return "en"
    asked = request._get_current_object()  # read once: each use of the proxy looks it up
    if asked.path.startswith(MACHINE_PATHS):
        # Machines say what they want on each call; the session plays no part.
        wanted = asked.args.get("locale", "")[:2]
        if wanted in languages:
            return wanted
        return _browser_language(asked) or "en"
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    user = current_user._get_current_object()
    if user and user.is_authenticated and user.locale in languages:
        return user.locale
    # A page opened from a link in an e-mail speaks the language of the person it was for.
    reader_locale = g.get("reader_locale")
    if reader_locale in languages:
        return reader_locale
    return _browser_language(asked) or current_app.config["BABEL_DEFAULT_LOCALE"]


def install_early_locale(app) -> None:
    """Settle each page's language when the request starts.

    The language may come from the logged-in person's account. Settled later, after a
    commit, it would read their row again: a database that died at that moment would turn
    a step that was done into an error page.
    """

    @app.before_request
    def settle_locale():
        if request.endpoint != "static":
            get_locale()


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Show a UTC time in the reception's zone, in the page's language.

    The date as the language writes it, then hours and minutes: seconds and the zone
    offset of Babel's own long formats only add noise for people.
    """
    if not value:
        return ""
    # One way of writing a date per language everywhere: the same date as local_date,
    # then the time (no "02.12.26, 04:42" beside "2026 ж. 24 жел.").
    return f"{local_date(value)}, {format_time(value, 'HH:mm')}"


def local_date(value: date | str | None, fmt: str = "long") -> str:
    """Show a date (or an ISO date string kept in event data) in the page's language."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return ""
    if not value:
        return ""
    # One way of writing a date per language: the long form everywhere. (A Russian date
    # ends in "г.": sentences put it where no full stop follows, "до %(date)s включительно".)
    # A pattern of its own ("LLLL y", a month on a chart) is not a date and is kept.
    styles = ("short", "medium", "long", "full")
    return format_date(value, "long" if fmt in styles else fmt)


def file_size(size: int) -> str:
    """A file's size as people read it: "240 KB", "3.4 MB", in the page's language."""
    if size >= 1024 * 1024:
        return _("%(n)s MB", n=format_decimal(round(size / (1024 * 1024), 1)))
    return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))
