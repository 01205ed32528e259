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


def install_input_guard(app: Flask) -> None:
    """Refuse NUL characters anywhere in a request: no person types them, and PostgreSQL
    cannot store or even compare text that holds them."""

    @app.before_request
    def refuse_nul_characters():
        candidates = [
            *request.args.keys(),
            *request.args.values(),
            *(request.view_args or {}).values(),
        ]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            candidates += [*request.form.keys(), *request.form.values()]
        if _has_nul(candidates):
            abort(400)


def install_security_headers(app: Flask) -> None:
    https = app.config["RECEPTION_BASE_URL"].startswith("https://")

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if https:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
