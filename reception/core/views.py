"""The home page, the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import text

from reception.core.caching import public_page
from reception.core.inputs import safe_next
from reception.domain.workflow import LANGUAGES
from reception.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@public_page
def home():
    return render_template("core/home.html")


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))


@bp.route("/healthz")
def healthz():
    """Report whether the app can reach its database (for load balancers and monitors)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not healthy", with the reason logged
        db.session.rollback()
        current_app.logger.error("health check failed: %s", error)
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}
