"""The administration blueprint: who may enter, and what every page of it shares."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from reception.admin import labels
from reception.admin.queries import get_row
from reception.core.i18n import current_locale
from reception.core.labels import LANGUAGE_LABELS
from reception.core.refusals import Refused
from reception.core.types import utcnow
from reception.core.web import attempt
from reception.domain.workflow import Role
from reception.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if current_user.role != Role.admin:
        abort(403)
    return None


@bp.context_processor
def admin_labels():
    return {
        "ROLE_LABELS": labels.ROLE_LABELS,
        "LEVEL_LABELS": labels.LEVEL_LABELS,
        "HOLIDAY_KIND_LABELS": labels.HOLIDAY_KIND_LABELS,
        "ROUTE_LEVEL_LABELS": labels.ROUTE_LEVEL_LABELS,
        "RULE_KIND_LABELS": labels.RULE_KIND_LABELS,
        "ENTITY_LABELS": labels.ENTITY_LABELS,
        "ACTION_LABELS": labels.ACTION_LABELS,
        "field_label": labels.field_label,
        "format_decimal": format_decimal,  # "more than 10,000" in the reader's digits
    }


@bp.errorhandler(IntegrityError)
def changed_meanwhile(error):
    # Two administrators saving the same code or date at the same moment: the second
    # one's check passed before the first one's commit. Nothing was saved.
    db.session.rollback()
    flash(
        _("Someone changed the same data at the same moment. Please check and try again."), "error"
    )
    return redirect(url_for("admin.home"))


def row_or_404(model, ident: int):
    row = get_row(db.session, model, ident)
    if row is None:
        abort(404)
    return row


def flash_refusal(rest: dict) -> None:
    """Messages that belong to no field of the form go on top of the page."""
    for message in rest.values():
        flash(message, "error")


@dataclass(frozen=True)
class Saving:
    """How a form page's request went: `saved` (with the service's `result`), or not, and
    then the status with which the form is shown again (200 on GET, 422 when refused)."""

    saved: bool = False
    result: object = None
    status: int = 200


def save_form(form, service, *args, **kwargs) -> Saving:
    """The POST of a create or edit page: one unit of work (`attempt`), or the refusal shown.

    The service is called as `service(db.session, *args, request.form, actor=current_user,
    now=utcnow(), **kwargs)`. A refusal is rolled back and shown on the form; what belongs
    to no field of it goes on top of the page. On GET nothing is run.
    """
    if request.method != "POST":
        return Saving()
    outcome = attempt(
        lambda: service(db.session, *args, request.form, actor=current_user, now=utcnow(), **kwargs)
    )
    if not outcome.done:
        flash_refusal(form.show_errors(outcome.refused.errors))
        return Saving(status=422)
    return Saving(saved=True, result=outcome.result)


def refusal_flashed(endpoint: str, **values):
    """Show a refusal of a button (delete, revoke) on top of the page it goes back to."""

    def show(refused: Refused):
        flash_refusal(refused.errors)
        return redirect(url_for(endpoint, **values))

    return show


def flash_saved(changes: dict, what: str) -> None:
    if changes:
        flash(_("Saved: %(what)s.", what=what), "success")
    else:
        flash(_("Nothing was changed."), "info")


def _name(obj) -> str:
    return obj.name(current_locale())


def authority_choices(authorities, *, empty=None) -> list[tuple[str, str]]:
    inactive = _("inactive")
    choices = [("", str(empty))] if empty is not None else []
    for body in authorities:
        label = f"{_name(body)} ({body.code})"
        choices.append((body.code, label if body.is_active else f"{label}, {inactive}"))
    return choices


def region_choices(regions, *, empty=None) -> list[tuple[str, str]]:
    choices = [("", str(empty))] if empty is not None else []
    return choices + [(r.code, f"{_name(r)} ({r.code})") for r in regions]


def category_choices(categories, *, empty=None) -> list[tuple[str, str]]:
    inactive = _("inactive")
    choices = [("", str(empty))] if empty is not None else []
    for category in categories:
        label = _name(category)
        choices.append((category.code, label if category.is_active else f"{label}, {inactive}"))
    return choices


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in LANGUAGE_LABELS.items()]
