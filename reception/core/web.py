"""The floor every view stands on: request helpers and the one unit of work.

- `local_today()`: today's date where the reception works.
- `attachment_store()`: the private file store of the request's application.
- `current_settings()`: the workflow settings, built once in `create_app` (see
  `install_settings`); a test that changes `app.config` afterwards calls
  `refresh_settings(app)`.
- `perform(work, files=..., refused=...)`: run one change in the request's transaction:
  guard the files written meanwhile, commit, roll back on failure, and show a `Refused`:
  by the caller's `refused(r)` (a page re-rendered, a JSON error), else as the blueprint
  registered it (`register_refusal_renderer`), else as a flash and a redirect back.

Core imports no feature package: the settings' type and the JSON renderers belong to the
features, which hand them to core at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from reception.core.database import database_unavailable
from reception.core.files import AttachmentStore
from reception.core.inputs import safe_next
from reception.core.refusals import Refused
from reception.core.types import utcnow
from reception.domain.deadlines import zone_info
from reception.extensions import db

__all__ = [
    "Attempt",
    "Refused",
    "attempt",
    "attachment_store",
    "current_settings",
    "install_settings",
    "local_today",
    "perform",
    "refresh_settings",
    "register_refusal_renderer",
]

T = TypeVar("T")

_SETTINGS = "reception.settings"
_SETTINGS_BUILDER = "reception.settings_builder"
_REFUSAL_RENDERERS = "reception.refusal_renderers"


# --- Request helpers -------------------------------------------------------------------


def local_today():
    """Today's date where the reception works (not where the server is)."""
    return utcnow().astimezone(zone_info(current_app.config["RECEPTION_TIMEZONE"])).date()


def attachment_store() -> AttachmentStore:
    return AttachmentStore(Path(current_app.config["UPLOAD_FOLDER"]))


def install_settings(app: Flask, build: Callable[[Mapping], Any]) -> None:
    """Build the workflow settings once from the app's config (the composition root
    hands over the builder, e.g. `WorkflowSettings.from_config`)."""
    app.extensions[_SETTINGS_BUILDER] = build
    refresh_settings(app)


def refresh_settings(app: Flask) -> None:
    """Build the settings again after `app.config` changed (tests; never per request)."""
    app.extensions[_SETTINGS] = app.extensions[_SETTINGS_BUILDER](app.config)


def current_settings() -> Any:
    """The workflow settings of the current application (a `WorkflowSettings`)."""
    return current_app.extensions[_SETTINGS]


# --- The unit of work ------------------------------------------------------------------


def register_refusal_renderer(
    app: Flask, prefix: str, render: Callable[[Refused], ResponseReturnValue]
) -> None:
    """How a refusal is shown under a URL prefix when the view gives no `refused=`
    (the JSON API registers its error format)."""
    app.extensions.setdefault(_REFUSAL_RENDERERS, {})[prefix] = render


def _default_refused(refused: Refused) -> ResponseReturnValue:
    renderers: dict = current_app.extensions.get(_REFUSAL_RENDERERS, {})
    for prefix in sorted(renderers, key=len, reverse=True):
        if request.path.startswith(prefix):
            return renderers[prefix](refused)
    for message in refused.errors.values():
        flash(message, "error")
    rule = request.url_rule
    if request.method == "GET" or (rule is not None and "GET" in (rule.methods or ())):
        return redirect(request.full_path if request.query_string else request.path, 303)
    # A POST-only address would answer the browser's GET with a 405: back to the page of this
    # site the form was sent from, or home.
    referrer = urlsplit(request.referrer or "")
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    home = url_for("core.home")
    return redirect(safe_next(back, home) if referrer.netloc == request.host else home, 303)


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """How a unit of work went: done with its `result`, or `refused` (rolled back)."""

    result: T | None = None
    refused: Refused | None = None

    @property
    def done(self) -> bool:
        return self.refused is None


def attempt(work: Callable[[], T], *, files=None) -> Attempt[T]:
    """Run `work()` as one unit and say how it went; the caller shows a refusal itself
    (a form page shown again with its errors). See `perform`."""
    try:
        with files.guard() if files is not None else nullcontext():
            result = work()
            db.session.commit()
    except Refused as refusal:
        db.session.rollback()
        return Attempt(refused=refusal)
    except BaseException as error:
        # A dead connection is left to the error pages (forget_transaction), as before.
        if not database_unavailable(error):
            db.session.rollback()
        raise
    return Attempt(result=result)


def perform(
    work: Callable[[], T] | None = None,
    *,
    files=None,
    refused: Callable[[Refused], ResponseReturnValue] | None = None,
) -> T:
    """Run `work()` as one unit: files guarded, committed, or rolled back and shown.

    `work` calls the service and returns what the answer needs, read before the commit
    (afterwards every attribute would be read again from a database that may be gone);
    without `work`, what the request already did is committed (a log-in recorded).
    `files` is a store with `guard()` (files written by a failed unit are removed). On
    `Refused` the transaction is rolled back and `refused(r)` answers the request (it may
    return a response or raise); any other error is rolled back and raised again.
    """
    outcome = attempt(work or (lambda: None), files=files)
    if outcome.refused is not None:
        response = (refused or _default_refused)(outcome.refused)
        abort(current_app.make_response(response))
    return outcome.result
