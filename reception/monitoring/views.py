"""The dashboard and overdue list for administrators and heads; public statistics."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from reception.core import paging
from reception.core.caching import public_page
from reception.core.i18n import current_locale, local_date
from reception.core.inputs import arg, clean_text
from reception.core.labels import CHANNEL_LABELS, KIND_LABELS
from reception.core.replica import report_session
from reception.core.web import local_today
from reception.directory import queries as directory
from reception.directory.models import Authority, Category, Region
from reception.domain.workflow import Role
from reception.extensions import db
from reception.monitoring import figures, public, queries
from reception.monitoring.filters import DashboardFilters

bp = Blueprint("monitoring", __name__)
DASHBOARD_ROLES = (Role.admin, Role.head)
OVERDUE_SORTS = ("due", "authority", "number")


def _require_dashboard_user():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if current_user.role not in DASHBOARD_ROLES:
        abort(403)
    return None


def _labels(dimension: str) -> dict:
    """Names for the group keys of a dimension, in the reader's language."""
    locale = current_locale()

    if dimension == "authority":
        return {a.id: a.name(locale) for a in db.session.scalars(db.select(Authority))}
    if dimension == "category":
        return {c.id: c.name(locale) for c in db.session.scalars(db.select(Category))}
    if dimension == "region":
        return {r.id: r.name(locale) for r in db.session.scalars(db.select(Region))}
    if dimension == "kind":
        return dict(KIND_LABELS)
    if dimension == "channel":
        return dict(CHANNEL_LABELS)
    return {}


def _context():
    today = local_today()
    filters = DashboardFilters.from_args(request.args, db.session, today)
    scope = queries.scope_authority_ids(db.session, current_user)
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    soon = calendar.add_working_days(today, 3)
    return today, filters, scope, soon


@bp.route("/monitoring/")
def dashboard():
    refused = _require_dashboard_user()
    if refused:
        return refused
    today, filters, scope, soon = _context()
    for message in filters.errors.values():
        flash(message, "warning")
    reports = report_session()
    groups = queries.compute_figures(
        reports, filters, scope, today=today, soon=soon, dimension=filters.group_by
    )
    totals = queries.combine(groups)
    labels = _labels(filters.group_by)
    groups.sort(key=lambda f: (-f.filed, str(labels.get(f.key, f.key))))
    trend = queries.weekly_trend(reports, filters, scope)
    by_authority = (
        groups
        if filters.group_by == "authority"
        else queries.compute_figures(
            reports, filters, scope, today=today, soon=soon, dimension="authority"
        )
    )
    authority_names = _labels("authority")
    # The honest figures (reception.monitoring.figures): the on-time share shown everywhere on
    # the dashboard counts open, overdue appeals against the body.
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    honest = figures.dashboard_figures(
        db.session, filters, scope, today=today, calendar=calendar, dimension=filters.group_by
    )
    honest_by_authority = {
        f.key: f
        for f in (
            honest.groups
            if filters.group_by == "authority"
            else figures.dashboard_figures(
                db.session, filters, scope, today=today, calendar=calendar
            ).groups
        )
    }
    chart_data = {
        "trend": {
            # The axis speaks the page's language: "2 ноября 2026", not "2026-11-02".
            "labels": [local_date(w) for w, _, _ in trend],
            "weeks": [w.isoformat() for w, _, _ in trend],
            "filed": [f for _, f, _ in trend],
            "answered": [a for _, _, a in trend],
        },
        "on_time": [
            {
                "label": authority_names.get(f.key, ""),
                "share": round(honest_by_authority[f.key].on_time_share * 100, 1),
            }
            for f in sorted(by_authority, key=lambda f: -f.answered)[:15]
            if f.key in honest_by_authority and honest_by_authority[f.key].on_time_share is not None
        ],
    }
    return render_template(
        "monitoring/dashboard.html",
        filters=filters,
        totals=totals,
        groups=groups,
        labels=labels,
        trend=trend,
        # "<" escaped so that no name can close the data block early.
        chart_json=json.dumps(chart_data, ensure_ascii=False).replace("<", "\\u003c"),
        categories=directory.list_categories(db.session),
        regions=directory.list_regions(db.session),
        authorities=[
            a for a in directory.list_authorities(db.session) if scope is None or a.id in scope
        ],
        scope_is_all=scope is None,
        honest=honest,
        honest_by_key={f.key: f for f in honest.groups},
        authority_by_code={a.code: a for a in directory.list_authorities(db.session)},
    )


@bp.route("/monitoring/overdue")
def overdue():
    refused = _require_dashboard_user()
    if refused:
        return refused
    today = local_today()
    scope = queries.scope_authority_ids(db.session, current_user)
    sort = arg(request.args, "sort")
    sort = sort if sort in OVERDUE_SORTS else "due"
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    appeals = queries.list_overdue(db.session, scope, today=today, sort=sort)
    rows = [(a, calendar.working_days_between(a.due_on, today)) for a in appeals]
    return render_template("monitoring/overdue.html", rows=rows, sort=sort, today=today)


@bp.route("/monitoring/export.csv")
def export():
    refused = _require_dashboard_user()
    if refused:
        return refused
    today, filters, scope, _ = _context()

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(queries.EXPORT_COLUMNS)
        for count, row in enumerate(
            queries.export_rows(report_session(), filters, scope, today=today)
        ):
            writer.writerow(row)
            if count % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    name = f"appeals-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    return Response(
        stream_with_context(generate()),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/stats")
@public_page
def stats():
    """Per body: on-time share, median working days to answer, satisfaction; and answers."""
    today = local_today()
    filters = DashboardFilters(date_from=today - timedelta(days=365), date_to=today)
    threshold = current_app.config["STATS_MIN_ANSWERED"]
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    rows = queries.compute_figures(
        report_session(),
        filters,
        None,
        today=today,
        soon=calendar.add_working_days(today, 3),
        dimension="authority",
    )
    names = _labels("authority")
    # The public comparison (reception.monitoring.figures): a body is compared once at least
    # `threshold` appeals stand behind its on-time share (answered, or open and overdue).
    honest = figures.dashboard_figures(
        report_session(), filters, None, today=today, calendar=calendar, dimension="authority"
    )
    classic = {f.key: f for f in rows}
    fair = sorted(
        (f for f in honest.groups if f.on_time_base >= threshold),
        key=lambda f: str(names.get(f.key, "")),
    )
    q = clean_text(request.args.get("q"), 200, one_line=True)
    found = public.list_published_answers(
        report_session(),
        q=q,
        page=paging.parse_page(request.args.get("page")),
        page_size=paging.PUBLISHED_ANSWERS.per_page(),
    )
    return render_template(
        "monitoring/stats.html",
        rows=fair,
        classic=classic,
        forwarders={f.key: f for f in honest.forwarders},
        codes={a.id: a.code for a in db.session.scalars(db.select(Authority))},
        names=names,
        threshold=threshold,
        answers=found.items,
        total=found.total,
        q=q,
        page=found.page,
        pages=found.pages,
    )
