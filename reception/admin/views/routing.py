"""Pages for the routing table and its "where would this appeal go?" tester."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from reception.admin import queries
from reception.admin.forms import RouteTestForm, RuleForm
from reception.admin.services import routing as services
from reception.admin.views.common import (
    authority_choices,
    bp,
    category_choices,
    refusal_flashed,
    region_choices,
    row_or_404,
    save_form,
)
from reception.core.types import utcnow
from reception.core.web import perform
from reception.directory import queries as directory
from reception.directory.models import RoutingRule
from reception.extensions import db


@bp.route("/routing")
def routing():
    filters = {
        name: queries.arg(request.args, name) for name in ("category", "region", "authority")
    }
    return render_template(
        "admin/routing.html",
        rules=queries.list_rules(db.session, **filters),
        filters=filters,
        categories=queries.list_all_categories(db.session),
        regions=queries.list_regions(db.session),
        authorities=queries.list_all_authorities(db.session),
        rule_kind=services.rule_kind,
    )


def _rule_choices(form: RuleForm) -> None:
    form.category.choices = category_choices(
        queries.list_all_categories(db.session), empty=_("Any topic")
    )
    form.region.choices = region_choices(queries.list_regions(db.session), empty=_("Any region"))
    form.authority.choices = authority_choices(
        [a for a in queries.list_all_authorities(db.session) if a.is_active],
        empty=_("Choose a state body"),
    )


def _rule_data(rule: RoutingRule) -> dict:
    return {
        "category": rule.category.code if rule.category else "",
        "region": rule.region.code if rule.region else "",
        "authority": rule.authority.code,
    }


@bp.route("/routing/new", methods=["GET", "POST"])
def new_rule():
    if request.method == "POST":
        form = RuleForm()
    else:
        form = RuleForm(data={k: queries.arg(request.args, k) for k in ("category", "region")})
    saving = save_form(form, services.create_rule)
    if saving.saved:
        flash(_("The routing rule is created."), "success")
        return redirect(url_for("admin.routing"))
    _rule_choices(form)
    return render_template("admin/rule_form.html", form=form, rule=None), saving.status


@bp.route("/routing/<int:rule_id>", methods=["GET", "POST"])
def edit_rule(rule_id: int):
    rule = row_or_404(RoutingRule, rule_id)
    form = RuleForm() if request.method == "POST" else RuleForm(data=_rule_data(rule))
    saving = save_form(form, services.update_rule, rule)
    if saving.saved:
        changes = saving.result
        flash(
            _("The routing rule is saved.") if changes else _("Nothing was changed."),
            "success" if changes else "info",
        )
        return redirect(url_for("admin.routing"))
    _rule_choices(form)
    return render_template(
        "admin/rule_form.html", form=form, rule=rule, kind=services.rule_kind(rule)
    ), saving.status


@bp.route("/routing/<int:rule_id>/delete", methods=["POST"])
def delete_rule(rule_id: int):
    rule = row_or_404(RoutingRule, rule_id)
    perform(
        lambda: services.delete_rule(db.session, rule, actor=current_user, now=utcnow()),
        refused=refusal_flashed("admin.edit_rule", rule_id=rule_id),
    )
    flash(_("The routing rule is deleted."), "success")
    return redirect(url_for("admin.routing"))


@bp.route("/routing/test")
def test_route():
    """Show where an appeal on a topic from a region would go, and by which rule."""
    form = RouteTestForm(request.args)
    form.category.choices = category_choices(
        directory.list_categories(db.session), empty=_("Choose a topic")
    )
    form.region.choices = region_choices(
        queries.list_regions(db.session), empty=_("Choose a region")
    )
    result = None
    status = 200
    if request.args:
        category = directory.get_category(db.session, queries.arg(request.args, "category"))
        region = directory.get_region(db.session, queries.arg(request.args, "region", 16))
        if category is None:
            form.category.errors = [_("Choose a topic from the list.")]
        if region is None:
            form.region.errors = [_("Choose a region from the list.")]
        if category is not None and region is not None:
            result = queries.explain_route(db.session, category, region)
        else:
            status = 422
    return render_template(
        "admin/route_test.html", form=form, result=result, rule_kind=services.rule_kind
    ), status
