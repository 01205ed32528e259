"""The administration home page and the audit log."""

from __future__ import annotations

from flask import render_template, request

from reception.admin import queries
from reception.admin.labels import ENTITY_LABELS
from reception.admin.views.common import bp
from reception.core.inputs import known_args
from reception.core.web import local_today
from reception.extensions import db

# Where an audit entry's entity can be opened (deleted rules and overrides cannot).
ENTITY_PAGES = {
    "authority": ("admin.edit_authority", "authority_id"),
    "category": ("admin.edit_category", "category_id"),
    "routing_rule": ("admin.edit_rule", "rule_id"),
    "answer_template": ("admin.edit_template", "template_id"),
    "user": ("admin.edit_user", "user_id"),
}


@bp.route("/")
def home():
    return render_template("admin/home.html", counts=queries.overview(db.session, local_today()))


@bp.route("/audit")
def audit():
    filters = queries.AuditFilters.from_args(request.args, ENTITY_LABELS)
    page = queries.list_audit(db.session, filters)
    args = known_args(request.args, ("entity", "id"))
    return render_template(
        "admin/audit.html", page=page, filters=filters, args=args, entity_pages=ENTITY_PAGES
    )
