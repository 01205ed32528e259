"""Markup typed into the address bar or a form is never rendered as markup.

Messages are translated lazily and filled in with what someone typed ("Unknown code
%(code)s"); Flask-Babel's lazy strings call themselves HTML, so such a message used to be
printed as it was: `?authority=<meta http-equiv=refresh ...>` on the dashboard sent a
logged-in head elsewhere. These tests send markup in every parameter and field of every
route, as every role, and look for it unescaped in the HTML that comes back; and they
check the code for the ways a message could be marked safe again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import flash, get_flashed_messages, render_template_string
from markupsafe import Markup, escape

from reception.core.i18n import LazyText, lazy_gettext
from tests.security.test_authorization_matrix import (  # noqa: F401 (the fixture)
    _all_routes,
    url_for_rule,
    world,
)

ROOT = Path(__file__).resolve().parents[2]
# Short enough to survive the cut of a filter to 64 characters.
PAYLOADS = (
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "\"'><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
)
# What must never appear in a page: the start of each payload's markup, unescaped.
MARKERS = ("<meta http-equiv", "<script>alert", "<img src=x")
ROLES = ("anonymous", "citizen", "official", "head", "operator", "admin")

# Every field the forms and actions read; the address-bar parameters are added from the code.
FORM_FIELDS = [
    "address",
    "applicant_type",
    "attachments",
    "authority",
    "body",
    "category",
    "channel",
    "code",
    "day",
    "email",
    "full_name",
    "iin",
    "is_active",
    "kind",
    "language",
    "name",
    "name_en",
    "name_kk",
    "name_ru",
    "note",
    "number",
    "password",
    "password_confirm",
    "phone",
    "position",
    "publish_consent",
    "region",
    "subject",
    "submission_key",
    "text",
    "title",
    "user",
    "website",
    "comment",
    "confirm",
    "due_on",
    "due_within",
    "entity",
    "executor",
    "ground",
    "group_by",
    "kept_attachments",
    "overdue",
    "q",
    "rating",
    "reason",
    "reply_days",
    "role",
    "status",
    "template",
    "complaint_to",
    "to",
    "date_from",
    "date_to",
    "address_id",
    "address_string",
    "api_key",
    "description",
    "first_name",
    "last_name",
    "lat",
    "long",
    "media_url",
    "service_code",
    "renew-code",
    "off-code",
    "default_term_days",
    "level",
    "superior",
    "is_public",
]
_PARAMETER = re.compile(
    r"""(?:args(?:\.get)?\(\s*|arg\(\s*(?:request\.)?args,\s*|args\[|_comma_list\(|\bparse\()["'](\w+)["']"""
)
_KNOWN = re.compile(r"known_args\(\s*request\.args,\s*\(([^)]*)\)")


def address_bar_parameters() -> list[str]:
    """Every query parameter some view reads, found in the code."""
    names = {"next", "locale", "page", "sort", "template", "q", "id", "extensions"}
    for path in (ROOT / "reception").rglob("*.py"):
        source = path.read_text()
        names.update(_PARAMETER.findall(source))
        for group in _KNOWN.findall(source):
            names.update(re.findall(r"\"(\w+)\"", group))
    return sorted(names)


def test_the_parameter_list_is_found_in_the_code():
    found = set(address_bar_parameters())
    assert {"authority", "category", "date_from", "executor", "due_within", "status"} <= found


def unescaped(response) -> list[str]:
    if not response.content_type.startswith("text/html"):
        return []  # JSON, XML and CSV are not read as HTML
    body = response.get_data(as_text=True)
    return [marker for marker in MARKERS if marker in body]


GET_ROUTES = [(e, m) for e, m in _all_routes() if m == "GET" and e != "static"]
POST_ROUTES = [(e, m) for e, m in _all_routes() if m == "POST"]


def _rule(app, endpoint):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)


@pytest.mark.parametrize("endpoint, method", GET_ROUTES)
def test_no_get_page_renders_markup_from_the_address_bar(app, world, endpoint, method):  # noqa: F811
    clients, values = world
    rule = _rule(app, endpoint)
    url = url_for_rule(app, rule, values, method)
    names = address_bar_parameters()
    # Each parameter gets one of the payloads, in turn: one request per role covers all.
    query = {name: PAYLOADS[index % len(PAYLOADS)] for index, name in enumerate(names)}
    problems = []
    for role in ROLES:
        response = clients[role].get(url, query_string=query, follow_redirects=True)
        assert response.status_code < 500, (role, url)
        if found := unescaped(response):
            problems.append((role, url, found))
    # The same markup in every text part of the path.
    text_arguments = [
        name
        for name, converter in rule._converters.items()
        if type(converter).__name__ in ("UnicodeConverter", "PathConverter")
    ]
    if text_arguments:
        with app.test_request_context():
            from flask import url_for

            arguments = {name: values[name] for name in rule.arguments}
            arguments.update(dict.fromkeys(text_arguments, PAYLOADS[0]))
            if "action" in rule.arguments and "action" not in text_arguments:
                arguments["action"] = "note"
            marked = url_for(endpoint, **arguments)
        for role in ROLES:
            response = clients[role].get(marked, follow_redirects=True)
            assert response.status_code < 500, (role, marked)
            if found := unescaped(response):
                problems.append((role, marked, found))
    assert problems == []


@pytest.mark.parametrize("endpoint, method", POST_ROUTES)
def test_no_form_answer_renders_markup_that_was_typed(app, world, endpoint, method):  # noqa: F811
    clients, values = world
    rule = _rule(app, endpoint)
    url = url_for_rule(app, rule, values, method)
    problems = []
    data = {name: PAYLOADS[index % len(PAYLOADS)] for index, name in enumerate(FORM_FIELDS)}
    for role in ROLES:
        response = clients[role].post(url, data=data, follow_redirects=True)
        assert response.status_code < 500, (role, url)
        if found := unescaped(response):
            problems.append((role, url, found))
    assert problems == []


def test_the_dashboard_shows_a_bad_code_as_text(app, world):  # noqa: F811
    clients, _ = world
    payload = PAYLOADS[0]
    response = clients["head"].get("/monitoring/", query_string={"authority": payload})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert payload not in body
    assert "Unknown code &lt;meta http-equiv=" in body  # the message is there, as text


# --- The message objects themselves ---------------------------------------------------


def test_a_lazy_message_with_a_value_is_escaped_in_a_template(app):
    message = lazy_gettext("Unknown code %(code)s; this filter is not applied.", code="<b>x</b>")
    with app.test_request_context():
        assert "&lt;b&gt;x&lt;/b&gt;" in render_template_string("{{ m }}", m=message)
        assert "<b>" not in str(escape(message))
        assert "<b>" not in Markup(message)


def test_a_flashed_message_stays_text_through_the_session_cookie(app):
    message = lazy_gettext("Unknown code %(code)s; this filter is not applied.", code="<i>x</i>")
    with app.test_request_context():
        flash(message)
        serializer = app.session_interface.get_signing_serializer(app).serializer
        from flask import session

        restored = serializer.loads(serializer.dumps(dict(session)))
    with app.test_request_context():
        from flask import session

        session.update(restored)
        (shown,) = get_flashed_messages()
        assert "<i>" not in render_template_string("{{ m }}", m=shown)


# --- Static checks over the code ------------------------------------------------------


def python_sources():
    return [p for p in (ROOT / "reception").rglob("*.py")]


def test_lazy_messages_come_from_the_escaping_helper():
    """Flask-Babel's own lazy strings are HTML to Jinja: only reception.core.i18n may use
    them (to build LazyText)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_sources()
        if path.name != "i18n.py"
        and re.search(r"from flask_babel(\.\w+)? import[^\n]*\blazy_(n)?gettext", path.read_text())
    ]
    assert offenders == []
    assert issubclass(LazyText, object) and "<" not in LazyText.__html__(
        lazy_gettext("%(v)s", v="<")
    )


_GETTEXT_CALL = r"(?:_l?|gettext|ngettext|lazy_gettext|lazy_ngettext)\("


def test_no_translated_message_is_marked_safe():
    problems = []
    for path in python_sources():
        source = path.read_text()
        if re.search(r"Markup\(\s*" + _GETTEXT_CALL, source):
            problems.append(f"{path.relative_to(ROOT)}: Markup() around a translated message")
        if re.search(r"\bflash\(\s*Markup\(", source):
            problems.append(f"{path.relative_to(ROOT)}: a flashed Markup")
    for path in (ROOT / "templates").rglob("*"):
        if not path.is_file():
            continue
        source = path.read_text()
        if re.search(r"autoescape\s+false", source, re.IGNORECASE):
            problems.append(f"{path.relative_to(ROOT)}: autoescape false")
        for expression in re.findall(r"\{\{([^}]*)\|\s*safe\b", source):
            # Only values made safe by the view itself: the chart's JSON ("<" escaped) and
            # the QR code's SVG (drawn from the secret, nothing typed).
            if expression.strip() not in ("chart_json", "qr"):
                problems.append(f"{path.relative_to(ROOT)}: |safe on {expression.strip()}")
    assert problems == []
