"""Error pages in the reader's language; never a stack trace."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from reception.core.database import database_unavailable, forget_transaction, serve_as_visitor
from reception.core.i18n import lazy_gettext as _l

MESSAGES = {
    400: (_l("The request could not be understood"), _l("Please go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (
        _l("Page not found"),
        _l("The address may be mistyped, or the page no longer exists."),
    ),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("The files are too large"), None),
    429: (
        _l("Too many attempts"),
        _l("Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you sent was half-saved. Please try again in a few minutes."),
    ),
    503: (
        _l("The service is temporarily unavailable"),
        _l("Please try again in a few minutes. Nothing you sent was half-saved."),
    ),
}


# The JSON API's error codes for plain HTTP errors.
API_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


# --- Error renderers registered by the features ---------------------------------------
# A feature with its own error format (Open311's JSON/XML) or its own answer to an error
# (the appeal form shown again after too many filings) registers it here, from its
# blueprint; core knows none of them.

_RENDERERS = "reception.error_renderers"


def register_error_renderer(
    blueprint: Blueprint,
    render: Callable,
    *,
    prefix: str | None = None,
    endpoint: str | None = None,
    status: int | None = None,
    method: str | None = None,
) -> None:
    """Answer errors under a URL `prefix` (or of one `endpoint`) with `render`.

    For a `prefix`, `render(code, message)` returns the error response in the feature's
    format. For an `endpoint` (with `status` and `method`), `render(message, code)`
    answers in place of the error page. Kept per application (`bp.record_once`).
    """
    rule = (prefix, endpoint, status, method, render)

    def install(state) -> None:
        state.app.extensions.setdefault(_RENDERERS, []).append(rule)

    blueprint.record_once(install)


def _registered(*, endpoint_rules: bool, code: int):
    for prefix, endpoint, status, method, render in current_app.extensions.get(_RENDERERS, []):
        if endpoint_rules:
            if (
                endpoint is not None
                and request.endpoint == endpoint
                and (status is None or status == code)
                and (method is None or request.method == method)
            ):
                return render
        elif prefix is not None and request.path.startswith(prefix):
            return render
    return None


def _render(code: int, message=None):
    # Tells the user loader that a failing database must not fail this page too.
    g.rendering_error_page = True
    title, default = MESSAGES.get(code, MESSAGES[500])
    if code == 413:
        default = _l(
            "Each attachment may be at most %(mb)d MB, and at most %(n)d files. Please go back "
            "and attach smaller files.",
            mb=current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
            n=current_app.config["MAX_ATTACHMENTS"],
        )
    feature_format = _registered(endpoint_rules=False, code=code)
    if feature_format is not None:
        return feature_format(code, message or title)
    if (
        request.path.startswith("/api/")
        or request.path.endswith(".json")  # /terms.json: a JSON address answers in JSON
        or request.accept_mimetypes.best == "application/json"
    ):
        return {
            "error": {
                "code": API_ERROR_CODES.get(code, str(code)),
                "message": str(message or title),
            }
        }, code
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def install_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            _l(
                "The form had expired or was sent from another site. Please reload the page and "
                "send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        code = error.code or 500
        own_answer = _registered(endpoint_rules=True, code=code)
        if own_answer is not None:
            # E.g. too many filings from one address: the form again with all it held.
            try:
                return own_answer(MESSAGES.get(code, MESSAGES[500])[1], code)
            except DBAPIError as db_error:  # the form's lists come from the database
                return database_error(db_error)
        return _render(code)

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        if not database_unavailable(error):
            return unexpected(error)
        # The database is away: answer without it (no user row, no query of any kind).
        forget_transaction()
        serve_as_visitor()
        app.logger.error("database unavailable: %s", error)
        return _render(503)

    @app.errorhandler(Exception)
    def unexpected(error):
        forget_transaction()
        app.logger.exception("unhandled error")
        return _render(500)
