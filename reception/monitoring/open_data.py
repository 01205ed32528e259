"""Open data and the public page of each body; the staff's export of the honest figures.

/stats/data.csv and /stats/data.json publish, under CC BY 4.0, the monthly counts per body,
topic and region from which every honest figure is computed (docs/open-data.md lists the
fields). Only counts leave: no number, name, text or date of a single appeal.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception.appeals.models import Appeal
from reception.core.caching import page_cache
from reception.core.web import local_today
from reception.directory import queries as directory
from reception.directory.models import Authority, Category, Region
from reception.domain.calendar import WorkingCalendar
from reception.domain.workflow import ANSWERED_STATUSES
from reception.extensions import db
from reception.monitoring import figures
from reception.monitoring.figures import BUCKET_FIELDS, COUNTS, LoopFigures
from reception.monitoring.filters import DashboardFilters

bp = Blueprint("open_data", __name__)

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
FIELDS = ("month", "body", "category", "region", *COUNTS, *BUCKET_FIELDS)
PUBLIC_CACHE = "public, max-age=3600"
BODY_MONTHS = 12


def _calendar() -> WorkingCalendar:
    return directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])


# Every month of the rollups (whole months only: no day is read from the daily grain).
EVERY_MONTH = (date(1900, 1, 1), date(9998, 12, 31))


def monthly_rows(
    session: Session, *, today: date, calendar: WorkingCalendar, live: bool = False
) -> list[dict]:
    """The open data: one row per month of registration, body, topic and region.

    The counts come from the monthly rollups (`live`: from the appeals, for the tests that
    compare the two). The forwards are counted against the body that forwarded (the row's
    body), in the month the appeal was registered, with the appeal's topic and region.
    """
    conditions: list = []
    if live:
        month = figures.month_expression(session, Appeal.registered_on)
        groups = [month, Appeal.authority_id, Appeal.category_id, Appeal.region_id]
        counts = figures.loop_counts(session, conditions, groups, today=today)
    else:
        counts = figures.rolled_counts(
            session,
            DashboardFilters(*EVERY_MONTH),
            None,
            ["month", "authority", "category", "region"],
            today=today,
        )
    authority_ids = dict(session.execute(select(Authority.code, Authority.id)).all())
    for appeal, code, days in figures.forward_costs(session, conditions, calendar):
        if code not in authority_ids:
            continue
        key = (
            appeal.registered_on.strftime("%Y-%m"),
            authority_ids[code],
            appeal.category_id,
            appeal.region_id,
        )
        entry = counts.setdefault(key, LoopFigures(key=key))
        entry.forwards_made += 1
        entry.forward_days_lost += days
    codes = {
        "body": {v: k for k, v in authority_ids.items()},
        "category": dict(session.execute(select(Category.id, Category.code)).all()),
        "region": dict(session.execute(select(Region.id, Region.code)).all()),
    }
    rows = []
    for (month_key, authority_id, category_id, region_id), entry in counts.items():
        row = {
            "month": str(month_key),
            "body": codes["body"].get(authority_id, ""),
            "category": codes["category"].get(category_id, ""),
            "region": codes["region"].get(region_id, ""),
        }
        row.update({name: getattr(entry, name) for name in COUNTS})
        row.update(
            {
                name: entry.buckets.get(label, 0)
                for name, (label, _, _) in zip(BUCKET_FIELDS, figures.BUCKETS, strict=True)
            }
        )
        rows.append(row)
    rows.sort(key=lambda r: (r["month"], r["body"], r["category"], r["region"]))
    return rows


def _public(response: Response) -> Response:
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.headers["Link"] = f'<{LICENSE["url"]}>; rel="license"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


def _kept(kind: str, today: date, make) -> bytes:
    """The open data document of the day, made at most once per RECEPTION_CACHE_SECONDS (in
    the public pages' cache: Redis when configured, this process's memory otherwise).

    It is every month of every body, topic and region (158,000 rows at a million appeals),
    the same for everybody, and needs no log-in: made on every request it would be a free way
    to load the database. Its headers (the ETag, a 304) are made for each request."""
    seconds = int(current_app.config.get("RECEPTION_CACHE_SECONDS") or 0)
    if seconds <= 0:
        return make()
    cache = page_cache()
    key = f"reception:page:open-data:{kind}:{today.isoformat()}"
    body = cache.get(key)
    if body is None:
        body = make()
        cache.set(key, body, seconds)
    return body


@bp.route("/stats/data.json")
def data_json():
    today = local_today()

    def make() -> bytes:
        document = {
            "title": "Monthly figures of state bodies on appeals",
            "license": LICENSE,
            "as_of": today.isoformat(),
            "documentation": "docs/open-data.md",
            "fields": list(FIELDS),
            "rows": monthly_rows(db.session, today=today, calendar=_calendar()),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    body = _kept("json", today, make)
    return _public(Response(body, content_type="application/json; charset=utf-8"))


@bp.route("/stats/data.csv")
def data_csv():
    today = local_today()

    def make() -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(monthly_rows(db.session, today=today, calendar=_calendar()))
        return buffer.getvalue().encode()

    response = Response(
        _kept("csv", today, make),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="reception-monthly-figures.csv"'},
    )
    return _public(response)


def month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def published_answers_of(session: Session, authority_id: int, limit: int = 10) -> list[Appeal]:
    """The body's newest answers published with consent: only the redacted copies are shown."""
    return list(
        session.scalars(
            select(Appeal)
            .where(
                Appeal.authority_id == authority_id,
                Appeal.publish_consent,
                Appeal.status.in_(ANSWERED_STATUSES),
                Appeal.published_answer.is_not(None),
                Appeal.published_subject.is_not(None),
            )
            .options(selectinload(Appeal.category))
            .order_by(Appeal.answered_at.desc(), Appeal.id.desc())
            .limit(limit)
        )
    )


def body_months(
    session: Session,
    authority: Authority,
    *,
    today: date,
    calendar: WorkingCalendar,
    live: bool = False,
) -> dict[str, LoopFigures]:
    """{'YYYY-MM': figures} of a body's appeals registered in its last BODY_MONTHS months,
    from the monthly rollups (`live`: from the appeals); the forwards it made, counted in
    the month the appeal was registered."""
    since = month_start(today, BODY_MONTHS - 1)
    conditions = [Appeal.registered_on >= since]
    if live:
        month = figures.month_expression(session, Appeal.registered_on)
        counts = figures.loop_counts(
            session, [*conditions, Appeal.authority_id == authority.id], [month], today=today
        )
    else:
        counts = figures.rolled_counts(
            session,
            DashboardFilters(since, EVERY_MONTH[1], authority=authority.code),
            None,
            ["month"],
            today=today,
        )
    by_month = {str(key[0]): entry for key, entry in counts.items()}
    for appeal, forwarder, days in figures.forward_costs(session, conditions, calendar):
        if forwarder == authority.code:
            entry = by_month.setdefault(
                appeal.registered_on.strftime("%Y-%m"), LoopFigures(key=None)
            )
            entry.forwards_made += 1
            entry.forward_days_lost += days
    return by_month


@bp.route("/stats/bodies/<code>")
def body(code: str):
    authority = directory.get_authority(db.session, code[:64])
    if authority is None:
        abort(404)
    today = local_today()
    since = month_start(today, BODY_MONTHS - 1)
    by_month = body_months(db.session, authority, today=today, calendar=_calendar())
    months = []
    for back in range(BODY_MONTHS - 1, -1, -1):
        label = month_start(today, back).strftime("%Y-%m")
        entry = by_month.get(label) or LoopFigures()
        entry.key = label
        months.append(entry)
    total = figures.combine(months, key="total")
    month_names = {m.key: format_date(date.fromisoformat(f"{m.key}-01"), "LLL y") for m in months}
    chart = {
        "trend": {
            "labels": [month_names[m.key] for m in months],
            "filed": [m.filed for m in months],
            "answered": [m.answered for m in months],
        },
        "on_time": [
            {"label": month_names[m.key], "share": round(m.on_time_share * 100, 1)}
            for m in months
            if m.on_time_share is not None
        ],
    }
    top_filed = max((m.filed for m in months), default=0) or 1
    response = Response(
        render_template(
            "monitoring/body.html",
            authority=authority,
            months=months,
            total=total,
            top_filed=top_filed,
            # "<" escaped so that no text can close the data block early.
            chart_json=json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"),
            histogram=figures.bucket_rows(total),
            answers=published_answers_of(db.session, authority.id),
            subordinates=db.session.scalars(
                select(Authority).where(Authority.superior_id == authority.id)
            ).all(),
            min_count=current_app.config["STATS_MIN_ANSWERED"],
            since=since,
        )
    )
    return response


@bp.route("/monitoring/figures.csv")
def figures_export():
    """The dashboard's honest figures per group, for heads and administrators."""
    from reception.monitoring.views import _context, _require_dashboard_user

    refused = _require_dashboard_user()
    if refused:
        return refused
    today, filters, scope, _ = _context()
    result = figures.dashboard_figures(
        db.session,
        filters,
        scope,
        today=today,
        calendar=_calendar(),
        dimension=filters.group_by,
    )
    labels = _group_codes(filters.group_by)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        (
            "group",
            *COUNTS,
            *BUCKET_FIELDS,
            "on_time_share",
            "on_time_low",
            "on_time_high",
            "resolution_share",
            "repeat_rate",
        )
    )
    for entry in [*result.groups, _with_key(result.total, "total")]:
        interval = entry.interval("on_time") or ("", "")
        writer.writerow(
            (
                labels.get(entry.key, entry.key),
                *(getattr(entry, name) for name in COUNTS),
                *(entry.buckets.get(label, 0) for label, _, _ in figures.BUCKETS),
                _round(entry.on_time_share),
                *(_round(v) for v in interval),
                _round(entry.resolution_share),
                _round(entry.repeat_rate),
            )
        )
    name = f"figures-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    return Response(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def _with_key(entry: LoopFigures, key) -> LoopFigures:
    entry.key = key
    return entry


def _round(value) -> str:
    return "" if value is None or value == "" else f"{value:.4f}"


def _group_codes(dimension: str) -> dict:
    model = {"authority": Authority, "category": Category, "region": Region}.get(dimension)
    if model is None:
        return {}
    return dict(db.session.execute(select(model.id, model.code)).all())
