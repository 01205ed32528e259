"""Headers that every response carries."""

from flask import Flask, Response, abort, request

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
        candidates = [*(request.view_args or {}).values()]
        if _query_may_hold_nul(request.query_string):
            candidates += [*request.args.keys(), *request.args.values()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            candidates += [*request.form.keys(), *request.form.values()]
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


def install_security_headers(app: Flask) -> None:
    defaults = (
        (*_HEADERS, _HSTS) if app.config["RECEPTION_BASE_URL"].startswith("https://") else _HEADERS
    )

    @app.after_request
    def add_headers(response: Response) -> Response:
        # One pass over the response's headers instead of a search for each default.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend(
            (name, value) for name, value in defaults if name.lower() not in present
        )
        return response
