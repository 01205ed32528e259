"""The session cookie, for browsers only.

Open311 and the JSON API are called by machines that send their key (or nothing) on every
call: the answer never depends on a session, and a browser's cookie sent along plays no part
in it. Flask would still verify that cookie's signature on each call and mark the answer
`Vary: Cookie`; here those calls get Flask's null session instead. The signer of the cookie
is made once per secret, not on every request.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface

# The machine interfaces: no session is opened for a path under these.
MACHINE_PATHS = ("/open311/", "/api/")


class BrowserSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._signers: dict[str | bytes, object] = {}

    def open_session(self, app: Flask, request: Request):
        if request.path.startswith(MACHINE_PATHS):
            return self.null_session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        # Settings are read once at start; a new secret (a test's app) gets its own signer.
        signer = self._signers.get(app.secret_key)
        if signer is None:
            signer = self._signers[app.secret_key] = super().get_signing_serializer(app)
        return signer


def install_browser_sessions(app: Flask) -> None:
    app.session_interface = BrowserSessionInterface()
