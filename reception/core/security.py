"""Headers that every response carries."""

from flask import Flask, abort, request

# No inline scripts or styles anywhere: the templates use classes and static files only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _has_nul(values) -> bool:
    return any("\x00" in str(value) for value in values)


def _query_may_hold_nul(query_string: bytes | str) -> bool:
    """A decoded query string holds NUL only if the raw one has it, or "%00" (no other
    percent-escape or "+" decodes to it); most requests are answered without parsing it."""
    if isinstance(query_string, str):
        query_string = query_string.encode("latin-1", "replace")
    return b"\x00" in query_string or b"%00" in query_string


def install_input_guard(app: Flask) -> None:
    """Refuse NUL characters anywhere in a request: no person types them, and PostgreSQL
    cannot store or even compare text that holds them."""

    @app.before_request
    def refuse_nul_characters():
        asked = request._get_current_object()
        candidates = [*(asked.view_args or {}).values()]
        if _query_may_hold_nul(asked.query_string):
            candidates += [*asked.args.keys(), *asked.args.values()]
        if asked.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            candidates += [*asked.form.keys(), *asked.form.values()]
        if _has_nul(candidates):
            abort(400)


# Added to every response that has not set them itself.
_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """WSGI middleware: add the security headers to every answer that has not set them.

    Added to the plain list of headers the server receives, below Flask, so that every
    answer gets them (error pages and static files too) for a few list operations rather
    than a pass through Werkzeug's header object on each request.
    """

    def __init__(self, wsgi_app, defaults: tuple[tuple[str, str], ...]):
        self.wsgi_app = wsgi_app
        self.defaults = tuple((name.lower(), (name, value)) for name, value in defaults)

    def __call__(self, environ, start_response):
        defaults = self.defaults

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(pair for lower, pair in defaults if lower not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def install_security_headers(app: Flask) -> None:
    defaults = (
        (*_HEADERS, _HSTS) if app.config["RECEPTION_BASE_URL"].startswith("https://") else _HEADERS
    )
    app.wsgi_app = SecurityHeaders(app.wsgi_app, defaults)
