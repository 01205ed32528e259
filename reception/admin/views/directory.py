"""Pages for the reference data: state bodies, topics, answer templates, the calendar."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from reception.admin import queries
from reception.admin.forms import AuthorityForm, CategoryForm, HolidayForm, TemplateForm
from reception.admin.labels import HOLIDAY_KIND_LABELS, LEVEL_LABELS
from reception.admin.services import directory as services
from reception.admin.services import holidays as calendar_services
from reception.admin.services import templates as template_services
from reception.admin.views.common import (
    authority_choices,
    bp,
    category_choices,
    flash_saved,
    language_choices,
    region_choices,
    row_or_404,
    save_form,
)
from reception.core.types import utcnow
from reception.core.web import perform
from reception.directory.models import AnswerTemplate, Authority, Category, HolidayOverride
from reception.domain.workflow import AppealKind
from reception.extensions import db
from reception.terms.admin import calendar_overview, pending_moves

# --- State bodies ---------------------------------------------------------------------


@bp.route("/authorities")
def authorities():
    q = queries.arg(request.args, "q", 200)
    status = queries.arg(request.args, "status")
    tree = queries.authority_tree(db.session, q=q, status=status)
    return render_template("admin/authorities.html", tree=tree, q=q, status=status)


def _authority_choices(form: AuthorityForm, authority: Authority | None) -> None:
    form.level.choices = [(code, str(label)) for code, label in LEVEL_LABELS.items()]
    form.region.choices = region_choices(
        queries.list_regions(db.session), empty=_("None: the whole country")
    )
    form.superior.choices = authority_choices(
        [a for a in queries.list_all_authorities(db.session) if a is not authority],
        empty=_("None: top of the tree"),
    )


def _authority_data(authority: Authority) -> dict:
    return {
        "code": authority.code,
        "name_kk": authority.name_kk,
        "name_ru": authority.name_ru,
        "name_en": authority.name_en,
        "level": authority.level,
        "region": authority.region.code if authority.region else "",
        "superior": authority.superior.code if authority.superior else "",
        "email": authority.email or "",
        "is_active": authority.is_active,
    }


@bp.route("/authorities/new", methods=["GET", "POST"])
def new_authority():
    if request.method == "POST":
        form = AuthorityForm()
    else:
        form = AuthorityForm(data={"is_active": True, "level": "region"})
    saving = save_form(form, services.create_authority)
    if saving.saved:
        flash(_("The state body %(code)s is created.", code=saving.result.code), "success")
        return redirect(url_for("admin.authorities"))
    _authority_choices(form, None)
    return render_template("admin/authority_form.html", form=form, authority=None), saving.status


@bp.route("/authorities/<int:authority_id>", methods=["GET", "POST"])
def edit_authority(authority_id: int):
    authority = row_or_404(Authority, authority_id)
    if request.method == "POST":
        form = AuthorityForm()
    else:
        form = AuthorityForm(data=_authority_data(authority))
    saving = save_form(form, services.update_authority, authority)
    if saving.saved:
        flash_saved(saving.result, authority.code)
        if saving.result.get("is_active") == [True, False]:
            _warn_about_dependants(authority)
        return redirect(url_for("admin.authorities"))
    _authority_choices(form, authority)
    links = queries.authority_links(db.session, authority)
    return render_template(
        "admin/authority_form.html", form=form, authority=authority, links=links
    ), saving.status


def _warn_about_dependants(authority: Authority) -> None:
    links = queries.authority_links(db.session, authority)
    if links["rules"]:
        flash(
            ngettext(
                "%(num)d routing rule sends appeals to this body: until it is changed, those "
                "appeals follow the next matching rule.",
                "%(num)d routing rules send appeals to this body: until they are changed, those "
                "appeals follow the next matching rule.",
                links["rules"],
            ),
            "warning",
        )
    if links["subordinates"]:
        flash(
            ngettext(
                "%(num)d active body has this one as its superior: choose a new superior for it.",
                "%(num)d active bodies have this one as their superior: choose a new superior "
                "for them.",
                links["subordinates"],
            ),
            "warning",
        )
    if links["staff"]:
        flash(
            ngettext(
                "%(num)d active staff member works at this body.",
                "%(num)d active staff members work at this body.",
                links["staff"],
            ),
            "warning",
        )


# --- Topics ---------------------------------------------------------------------------


def _max_term_days() -> int:
    # A topic's term replaces the kind's, except for complaints (their term is the law's).
    terms = current_app.config["RECEPTION_TERM_DAYS"]
    return max(days for kind, days in terms.items() if kind != AppealKind.complaint)


@bp.route("/categories")
def categories():
    status = queries.arg(request.args, "status")
    return render_template(
        "admin/categories.html",
        categories=queries.list_all_categories(db.session, status=status),
        status=status,
        terms=current_app.config["RECEPTION_TERM_DAYS"],
    )


def _category_data(category: Category) -> dict:
    return {
        "code": category.code,
        "name_kk": category.name_kk,
        "name_ru": category.name_ru,
        "name_en": category.name_en,
        "default_term_days": ""
        if category.default_term_days is None
        else str(category.default_term_days),
        "position": str(category.position),
        "is_active": category.is_active,
    }


@bp.route("/categories/new", methods=["GET", "POST"])
def new_category():
    form = (
        CategoryForm()
        if request.method == "POST"
        else CategoryForm(data={"is_active": True, "position": "0"})
    )
    saving = save_form(form, services.create_category, max_term_days=_max_term_days())
    if saving.saved:
        flash(_("The topic %(code)s is created.", code=saving.result.code), "success")
        return redirect(url_for("admin.categories"))
    return render_template(
        "admin/category_form.html", form=form, category=None, max_term=_max_term_days()
    ), saving.status


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = row_or_404(Category, category_id)
    if request.method == "POST":
        form = CategoryForm()
    else:
        form = CategoryForm(data=_category_data(category))
    saving = save_form(form, services.update_category, category, max_term_days=_max_term_days())
    if saving.saved:
        flash_saved(saving.result, category.code)
        return redirect(url_for("admin.categories"))
    return render_template(
        "admin/category_form.html", form=form, category=category, max_term=_max_term_days()
    ), saving.status


# --- Answer templates -----------------------------------------------------------------


@bp.route("/templates")
def templates():
    category = queries.arg(request.args, "category")
    language = queries.arg(request.args, "language", 2)
    status = queries.arg(request.args, "status")
    return render_template(
        "admin/templates.html",
        templates=queries.list_templates(
            db.session, category=category, language=language, status=status
        ),
        categories=queries.list_all_categories(db.session),
        filters={"category": category, "language": language, "status": status},
    )


def _template_choices(form: TemplateForm) -> None:
    form.category.choices = category_choices(
        queries.list_all_categories(db.session), empty=_("General: every topic")
    )
    form.language.choices = language_choices()


def _template_data(template: AnswerTemplate) -> dict:
    return {
        "category": template.category.code if template.category else "",
        "language": template.language,
        "title": template.title,
        "body": template.body,
        "is_active": template.is_active,
    }


@bp.route("/templates/new", methods=["GET", "POST"])
def new_template():
    if request.method == "POST":
        form = TemplateForm()
    else:
        form = TemplateForm(
            data={
                "is_active": True,
                "language": queries.arg(request.args, "language", 2),
                "category": queries.arg(request.args, "category"),
            }
        )
    saving = save_form(form, template_services.create_template)
    if saving.saved:
        flash(_("The answer template is created."), "success")
        return redirect(url_for("admin.templates"))
    _template_choices(form)
    return render_template("admin/template_form.html", form=form, template=None), saving.status


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int):
    template = row_or_404(AnswerTemplate, template_id)
    if request.method == "POST":
        form = TemplateForm()
    else:
        form = TemplateForm(data=_template_data(template))
    saving = save_form(form, template_services.update_template, template)
    if saving.saved:
        flash_saved(saving.result, template.title)
        return redirect(url_for("admin.templates"))
    _template_choices(form)
    return render_template("admin/template_form.html", form=form, template=template), saving.status


# --- Calendar overrides ---------------------------------------------------------------


@bp.route("/holidays", methods=["GET", "POST"])
def holidays():
    form = HolidayForm() if request.method == "POST" else HolidayForm(data={"kind": "day_off"})
    form.kind.choices = [(code, str(label)) for code, label in HOLIDAY_KIND_LABELS.items()]
    # Before saving, the administrator sees how many appeals the change moves (section 12).
    pending = pending_moves(db.session, request)
    if pending:
        return render_template(
            "admin/holidays.html",
            form=form,
            holidays=queries.list_holidays(db.session),
            pending_moves=pending,
            **calendar_overview(db.session),
        )
    saving = save_form(form, calendar_services.add_holiday)
    if saving.saved:
        flash(_("The calendar override is added."), "success")
        return redirect(url_for("admin.holidays"))
    return render_template(
        "admin/holidays.html",
        form=form,
        holidays=queries.list_holidays(db.session),
        **calendar_overview(db.session),
    ), saving.status


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
def delete_holiday(holiday_id: int):
    override = row_or_404(HolidayOverride, holiday_id)
    perform(
        lambda: calendar_services.remove_holiday(
            db.session, override, actor=current_user, now=utcnow()
        )
    )
    flash(_("The calendar override is removed."), "success")
    return redirect(url_for("admin.holidays"))
