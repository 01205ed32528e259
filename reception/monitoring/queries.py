"""Response-time figures as SQL aggregates; nothing loops over appeals in Python.

Percentiles are nearest-rank (the value at rank ceil(p·n)). The clocks are small whole
numbers of working days, so each is aggregated into a histogram {days: appeals} by one
GROUP BY and the percentiles are read off it: no sorting of appeals, the same answers on
SQLite and PostgreSQL, and the histograms of groups add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.appeals.models import Appeal
from reception.core import paging
from reception.directory.models import Authority, Category, Region
from reception.domain.workflow import OPEN_STATUSES, RUNNING_STATUSES, Role, is_overdue
from reception.monitoring.filters import DashboardFilters


def scope_authority_ids(session: Session, user: User) -> set[int] | None:
    """None for every authority (administrators); for a head, their body and those under it."""
    if user.role == Role.admin:
        return None
    children: dict[int | None, list[int]] = {}
    for authority_id, superior_id in session.execute(select(Authority.id, Authority.superior_id)):
        children.setdefault(superior_id, []).append(authority_id)
    scope, stack = set(), [user.authority_id]
    while stack:
        current = stack.pop()
        if current is None or current in scope:
            continue
        scope.add(current)
        stack.extend(children.get(current, []))
    return scope


def _conditions(session: Session, filters: DashboardFilters, scope: set[int] | None) -> list:
    conditions = [
        Appeal.registered_on >= filters.date_from,
        Appeal.registered_on <= filters.date_to,
    ]
    if scope is not None:
        conditions.append(Appeal.authority_id.in_(scope or {-1}))
    lookups = (
        ("authority", Authority, Appeal.authority_id),
        ("category", Category, Appeal.category_id),
        ("region", Region, Appeal.region_id),
    )
    for name, model, column in lookups:
        code = getattr(filters, name)
        if code:
            conditions.append(
                column == select(model.id).where(model.code == code).scalar_subquery()
            )
    if filters.kind:
        conditions.append(Appeal.kind == filters.kind)
    if filters.channel:
        conditions.append(Appeal.channel == filters.channel)
    return conditions


def week_start(session: Session, column):
    """The Monday of the column's week, as a date, in either database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    return func.date(column, "weekday 0", "-6 days")


def group_expression(session: Session, dimension: str):
    return {
        "authority": Appeal.authority_id,
        "category": Appeal.category_id,
        "region": Appeal.region_id,
        "kind": Appeal.kind,
        "channel": Appeal.channel,
        "week": week_start(session, Appeal.registered_on),
    }[dimension]


@dataclass
class Figures:
    """The figures of one group (or of everything)."""

    key: object = None
    filed: int = 0
    open: int = 0
    answered: int = 0
    overdue: int = 0
    due_soon: int = 0
    on_time: int = 0
    forwarded: int = 0
    extensions: int = 0
    rated: int = 0
    rating_sum: int = 0
    # The statutory clock: returns after their 3 working days (Art. 64), complaints whose
    # term ended without a decision (counted as refusals, against the body).
    late_returns: int = 0
    deemed_refused: int = 0
    # {working days: number of appeals}: percentiles come from these small histograms.
    first_action_days: dict = field(default_factory=dict, repr=False)
    answer_days: dict = field(default_factory=dict, repr=False)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.answered if self.answered else None

    @property
    def forwarding_rate(self) -> float | None:
        return self.forwarded / self.filed if self.filed else None

    @property
    def rating_avg(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    first_action_p50 = property(lambda self: nearest_rank(self.first_action_days, 1, 2))
    first_action_p90 = property(lambda self: nearest_rank(self.first_action_days, 9, 10))
    answer_p50 = property(lambda self: nearest_rank(self.answer_days, 1, 2))
    answer_p90 = property(lambda self: nearest_rank(self.answer_days, 9, 10))


def nearest_rank(histogram: dict, numerator: int, denominator: int) -> int | None:
    """The value at rank ceil(p·n) of the values a histogram counts (p = num/den)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = (numerator * total + denominator - 1) // denominator
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None


COUNTED = (
    "filed",
    "open",
    "answered",
    "overdue",
    "due_soon",
    "on_time",
    "forwarded",
    "extensions",
    "rated",
    "rating_sum",
    "late_returns",
    "deemed_refused",
)


def combine(groups: list[Figures]) -> Figures:
    """The figures of all groups together (the histograms add up, so percentiles do too)."""
    total = Figures()
    for group in groups:
        for name in COUNTED:
            setattr(total, name, getattr(total, name) + getattr(group, name))
        for name in ("first_action_days", "answer_days"):
            merged = getattr(total, name)
            for value, count in getattr(group, name).items():
                merged[value] = merged.get(value, 0) + count
    return total


def _counts(today: date, soon: date) -> list:
    running = Appeal.status.in_(RUNNING_STATUSES)
    return [
        func.count().label("filed"),
        func.sum(case((Appeal.status.in_(OPEN_STATUSES), 1), else_=0)).label("open"),
        func.sum(case((Appeal.answered_at.is_not(None), 1), else_=0)).label("answered"),
        func.sum(case((Appeal.is_overdue(today), 1), else_=0)).label("overdue"),
        func.sum(
            case((and_(running, Appeal.due_on >= today, Appeal.due_on <= soon), 1), else_=0)
        ).label("due_soon"),
        func.sum(case((Appeal.answered_on_time.is_(True), 1), else_=0)).label("on_time"),
        func.sum(case((Appeal.forwards_count > 0, 1), else_=0)).label("forwarded"),
        func.coalesce(func.sum(Appeal.extensions_count), 0).label("extensions"),
        func.count(Appeal.rating).label("rated"),
        func.coalesce(func.sum(Appeal.rating), 0).label("rating_sum"),
        func.sum(case((Appeal.returned_late.is_(True), 1), else_=0)).label("late_returns"),
        func.count(Appeal.deemed_refused_on).label("deemed_refused"),
    ]


def _histograms(session: Session, column, group, conditions: list) -> dict:
    """{group key: {value: count}} of a column: one GROUP BY, no sorting of appeals."""
    key = group if group is not None else literal(None)
    rows = session.execute(
        select(key, column, func.count())
        .where(*conditions, column.is_not(None))
        .group_by(*([group] if group is not None else []), column)
    ).all()
    result: dict = {}
    for group_key, value, count in rows:
        result.setdefault(group_key, {})[value] = count
    return result


def _normal_key(key, dimension):
    if isinstance(key, datetime):
        return key.date()
    if dimension == "week" and isinstance(key, str):
        return date.fromisoformat(key)
    return key


def compute_figures_live(
    session: Session,
    filters: DashboardFilters,
    scope: set[int] | None,
    *,
    today: date,
    soon: date,
    dimension: str | None = None,
) -> list[Figures]:
    """The figures overall (dimension None: one row) or per group of a dimension.

    Three queries whatever the size: the counts, and a histogram for each clock.
    """
    conditions = _conditions(session, filters, scope)
    group = group_expression(session, dimension) if dimension else None
    columns = ([group.label("g")] if group is not None else []) + _counts(today, soon)
    query = select(*columns).where(*conditions)
    if group is not None:
        query = query.group_by(group)
    first = _histograms(session, Appeal.first_action_days, group, conditions)
    answer = _histograms(session, Appeal.answer_days, group, conditions)
    result = []
    for row in session.execute(query).mappings():
        raw_key = row["g"] if group is not None else None
        if group is None and not row["filed"]:
            continue
        result.append(
            Figures(
                key=_normal_key(raw_key, dimension),
                **{name: int(row[name] or 0) for name in COUNTED},
                first_action_days=first.get(raw_key, {}),
                answer_days=answer.get(raw_key, {}),
            )
        )
    return result


def weekly_trend_live(
    session: Session, filters: DashboardFilters, scope
) -> list[tuple[date, int, int]]:
    """(week, filed, answered): filed by registration week, answered by answer week."""
    conditions = _conditions(session, filters, scope)
    filed_week = week_start(session, Appeal.registered_on)
    answered_week = week_start(session, Appeal.answered_at)
    filed = dict(
        session.execute(
            select(filed_week, func.count()).where(*conditions).group_by(filed_week)
        ).all()
    )
    answered = dict(
        session.execute(
            select(answered_week, func.count())
            .where(*conditions, Appeal.answered_at.is_not(None))
            .group_by(answered_week)
        ).all()
    )

    def as_date(value):
        if isinstance(value, datetime):
            return value.date()
        return date.fromisoformat(value) if isinstance(value, str) else value

    filed = {as_date(k): v for k, v in filed.items()}
    answered = {as_date(k): v for k, v in answered.items()}
    return [
        (week, filed.get(week, 0), answered.get(week, 0))
        for week in every_week(filters, filed, answered)
    ]


# At most five years of weeks on one chart.
MAX_WEEKS = 262


def every_week(filters, *counted: dict) -> list[date]:
    """Every Monday of the period, weeks without activity included (as zero): a week
    dropped would draw a line straight from 2 to 16 November."""
    seen = sorted({week for counts in counted for week in counts if week is not None})
    first = filters.date_from - timedelta(days=filters.date_from.weekday())
    last = filters.date_to - timedelta(days=filters.date_to.weekday())
    if seen:
        first, last = min(first, seen[0]), max(last, seen[-1])
    weeks = []
    week = first
    while week <= last and len(weeks) < MAX_WEEKS:
        weeks.append(week)
        week += timedelta(days=7)
    return sorted(set(weeks) | set(seen))


# The figures from the daily rollups (reception.monitoring.rollups): the same numbers as the
# live queries above (the tests compare them), read from one row per day and cell instead of
# one per appeal.


def _rollup_conditions(
    filters: DashboardFilters, scope: set[int] | None, table, ranges: list[tuple[date, date]]
) -> list:
    c = table.c
    conditions = [or_(*(and_(c.day >= low, c.day <= high) for low, high in ranges))]
    if scope is not None:
        conditions.append(c.authority_id.in_(scope or {-1}))
    lookups = (
        ("authority", Authority, "authority_id"),
        ("category", Category, "category_id"),
        ("region", Region, "region_id"),
    )
    for name, model, column in lookups:
        code = getattr(filters, name)
        if code:  # (the coarse grain is read only when it has the columns asked for)
            conditions.append(
                c[column] == select(model.id).where(model.code == code).scalar_subquery()
            )
    if filters.kind:
        conditions.append(c.kind == filters.kind)
    if filters.channel:
        conditions.append(c.channel == filters.channel)
    return conditions


_ROLLUP_COLUMN = {
    "authority": "authority_id",
    "category": "category_id",
    "region": "region_id",
    "kind": "kind",
    "channel": "channel",
}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_split(date_from: date, date_to: date) -> tuple[list, tuple | None]:
    """The days at the ends of a period and its whole months.

    ([(first day, last day), ...] read from the daily grain, (first month's first day, last
    month's first day) or None): 5 Nov 2026 - 2 Feb 2027 gives the days 5-30 Nov and 1-2 Feb,
    and the months December to January.
    """
    first = date_from if date_from.day == 1 else _next_month(date_from)
    end = _next_month(date_to)  # the first day after the last whole month
    if date_to + timedelta(days=1) != end:
        end = date_to.replace(day=1)
    if first >= end:
        return [(date_from, date_to)], None
    days = []
    if date_from < first:
        days.append((date_from, first - timedelta(days=1)))
    if end <= date_to:
        days.append((end, date_to))
    last_month = (end - timedelta(days=1)).replace(day=1)
    return days, (first, last_month)


def _rollup_parts(
    filters: DashboardFilters, dimension: str | None, *more: str, scope: set[int] | None
) -> list[tuple]:
    """[(grain, [(from, to), ...])]: the tables to read and the days (or months) of each.

    The coarsest grain that has the columns asked for (filtered or grouped by, and the
    authority when the reader sees only some bodies, `scope`): day and authority only when
    nothing asks for a topic, region, kind or channel (the statistics page, the unfiltered
    dashboard, by authority or by week); day and topic when only the topic is, for every
    body; day, authority and topic when both are; every cell else. Whole months from the
    monthly grain, the days at the ends from the daily one; by week, every day from the
    daily grain (a week may straddle two months).
    """
    from reception.monitoring.rollups import DAY, MONTH, grain

    asked = {_ROLLUP_COLUMN[name] for name in _ROLLUP_COLUMN if getattr(filters, name)}
    if scope is not None:
        asked.add("authority_id")
    asked |= {_ROLLUP_COLUMN[d] for d in (dimension, *more) if d in _ROLLUP_COLUMN}
    if any(d not in (None, "week", "month", *_ROLLUP_COLUMN) for d in (dimension, *more)):
        asked.add("channel")  # (a grouping unknown here: every cell)
    if "week" in (dimension, *more):
        return [(grain(DAY, asked), [(filters.date_from, filters.date_to)])]
    days, months = month_split(filters.date_from, filters.date_to)
    parts = []
    if days:
        parts.append((grain(DAY, asked), days))
    if months:
        parts.append((grain(MONTH, asked), [months]))
    return parts


def _rollup_group(session: Session, dimension: str | None, table):
    if dimension is None:
        return None
    if dimension == "week":
        return week_start(session, table.c.day)
    if dimension == "month":  # the first day of the month (a monthly table's own day)
        if "_monthly" in table.name:
            return table.c.day
        from reception.monitoring.rollups import _month_sql

        return _month_sql(session, table.c.day)
    return table.c[_ROLLUP_COLUMN[dimension]]


def compute_figures(
    session: Session,
    filters: DashboardFilters,
    scope: set[int] | None,
    *,
    today: date,
    soon: date,
    dimension: str | None = None,
) -> list[Figures]:
    """The figures overall (dimension None: one row) or per group, from the rollups.

    Two queries over the rollups per grain read (the whole months and the days at the
    ends), whatever the size: the counters, and the histograms (the working days to the
    first action and to the answer, and the running appeals' due dates: overdue and due
    soon are read against today). The parts add up.
    """
    from reception.monitoring.rollups import ANSWER, COUNTERS, FIRST_ACTION, RUNNING_DUE

    COUNTERS = [name for name in COUNTERS if name in COUNTED]  # noqa: N806 (the dashboard's)
    totals: dict = {}
    histograms: dict = {}
    for grain, ranges in _rollup_parts(filters, dimension, scope=scope):
        counters, values = grain.counters, grain.values
        group = _rollup_group(session, dimension, counters)
        columns = [func.coalesce(func.sum(counters.c[name]), 0).label(name) for name in COUNTERS]
        query = select(*([group.label("g")] if group is not None else []), *columns).where(
            *_rollup_conditions(filters, scope, counters, ranges)
        )
        if group is not None:
            query = query.group_by(group)
        for row in session.execute(query).mappings():
            raw_key = row["g"] if group is not None else None
            target = totals.setdefault(raw_key, dict.fromkeys(COUNTERS, 0))
            for name in COUNTERS:
                target[name] += int(row[name] or 0)
        value_group = _rollup_group(session, dimension, values)
        key = value_group if value_group is not None else literal(None)
        for group_key, measure, value, count in session.execute(
            select(key, values.c.measure, values.c.value, func.sum(values.c["count"]))
            .where(
                *_rollup_conditions(filters, scope, values, ranges),
                values.c.measure.in_((FIRST_ACTION, ANSWER, RUNNING_DUE)),
            )
            .group_by(
                *([value_group] if value_group is not None else []),
                values.c.measure,
                values.c.value,
            )
        ):
            if count:
                histogram = histograms.setdefault((group_key, measure), {})
                histogram[value] = histogram.get(value, 0) + int(count)
    today_ordinal, soon_ordinal = today.toordinal(), soon.toordinal()
    result = []
    for raw_key, row in totals.items():
        if not row["filed"]:
            continue
        due = histograms.get((raw_key, RUNNING_DUE), {})
        result.append(
            Figures(
                key=_normal_key(raw_key, dimension),
                **row,
                overdue=sum(n for d, n in due.items() if d < today_ordinal),
                due_soon=sum(n for d, n in due.items() if today_ordinal <= d <= soon_ordinal),
                first_action_days={
                    v: n for v, n in histograms.get((raw_key, FIRST_ACTION), {}).items() if n
                },
                answer_days={v: n for v, n in histograms.get((raw_key, ANSWER), {}).items() if n},
            )
        )
    return result


def weekly_trend(session: Session, filters: DashboardFilters, scope) -> list[tuple[date, int, int]]:
    """(week, filed, answered) from the rollups: filed by registration week (read per day),
    answered by answer week (of the appeals registered in the period: whole months of
    registration from the monthly grain)."""
    from reception.monitoring.rollups import ANSWERED_ON

    [(daily, ranges)] = _rollup_parts(filters, "week", scope=scope)
    counters = daily.counters
    filed: dict[date, int] = {}
    for day, count in session.execute(
        select(counters.c.day, func.sum(counters.c.filed))
        .where(*_rollup_conditions(filters, scope, counters, ranges))
        .group_by(counters.c.day)
    ):
        day = date.fromisoformat(day) if isinstance(day, str) else day
        week = day - timedelta(days=day.weekday())
        filed[week] = filed.get(week, 0) + int(count or 0)
    answered: dict[date, int] = {}
    for grain, ranges in _rollup_parts(filters, None, scope=scope):
        values = grain.values
        for ordinal, count in session.execute(
            select(values.c.value, func.sum(values.c["count"]))
            .where(
                *_rollup_conditions(filters, scope, values, ranges),
                values.c.measure == ANSWERED_ON,
            )
            .group_by(values.c.value)
        ):
            day = date.fromordinal(ordinal)
            week = day - timedelta(days=day.weekday())
            answered[week] = answered.get(week, 0) + int(count or 0)
    filed = {w: n for w, n in filed.items() if n}
    answered = {w: n for w, n in answered.items() if n}
    return [
        (week, filed.get(week, 0), answered.get(week, 0))
        for week in every_week(filters, filed, answered)
    ]


def list_overdue(
    session: Session, scope, *, today: date, sort: str, limit: int = paging.OVERDUE.maximum
):
    """Open appeals past their due date, most overdue first (or by body / number)."""
    order = {
        "due": (Appeal.due_on, Appeal.id),
        "authority": (Appeal.authority_id, Appeal.due_on),
        "number": (Appeal.number,),
    }.get(sort, (Appeal.due_on, Appeal.id))
    query = select(Appeal).where(Appeal.is_overdue(today))
    if scope is not None:
        query = query.where(Appeal.authority_id.in_(scope or {-1}))
    return session.scalars(
        query.options(
            selectinload(Appeal.authority),
            selectinload(Appeal.executor),
            selectinload(Appeal.category),
        )
        .order_by(*order)
        .limit(limit)
    ).all()


EXPORT_COLUMNS = (
    "number",
    "kind",
    "category",
    "region",
    "authority",
    "channel",
    "status",
    "received_at",
    "registered_on",
    "first_action_at",
    "answered_at",
    "closed_at",
    "due_on",
    "extended_to",
    "extensions",
    "forwards",
    "overdue",
    "working_days_to_first_action",
    "working_days_to_answer",
    "paused_working_days",
    "answered_on_time",
    "rating",
)


def export_rows(
    session: Session, filters: DashboardFilters, scope, *, today: date
) -> Iterator[tuple]:
    """Every filtered appeal with its timestamps, streamed from the database in batches."""
    conditions = _conditions(session, filters, scope)
    query = (
        select(
            Appeal.number,
            Appeal.kind,
            Category.code,
            Region.code,
            Authority.code,
            Appeal.channel,
            Appeal.status,
            Appeal.received_at,
            Appeal.registered_on,
            Appeal.first_action_at,
            Appeal.answered_at,
            Appeal.closed_at,
            Appeal.due_on,
            Appeal.extensions_count,
            Appeal.forwards_count,
            Appeal.first_action_days,
            Appeal.answer_days,
            Appeal.paused_days,
            Appeal.answered_on_time,
            Appeal.rating,
        )
        .join(Category, Appeal.category_id == Category.id)
        .join(Region, Appeal.region_id == Region.id)
        .join(Authority, Appeal.authority_id == Authority.id)
        .where(*conditions)
        # In the order of an index (registered_on, id): the first rows are sent at once,
        # without sorting the whole period first.
        .order_by(Appeal.registered_on, Appeal.id)
        .execution_options(stream_results=True, yield_per=1000)
    )

    def stamp(value):
        return value.isoformat() if value is not None else ""

    for row in session.execute(query):
        (
            number,
            kind,
            category,
            region,
            authority,
            channel,
            status,
            received,
            registered,
            first_action,
            answered,
            closed,
            due,
            extensions,
            forwards,
            first_days,
            answer_days,
            paused,
            on_time,
            rating,
        ) = row
        overdue = is_overdue(status, due, today)
        yield (
            number,
            kind,
            category,
            region,
            authority,
            channel,
            status,
            stamp(received),
            stamp(registered),
            stamp(first_action),
            stamp(answered),
            stamp(closed),
            stamp(due),
            stamp(due) if extensions else "",
            extensions,
            forwards,
            "yes" if overdue else "no",
            "" if first_days is None else first_days,
            "" if answer_days is None else answer_days,
            paused,
            "" if on_time is None else ("yes" if on_time else "no"),
            "" if rating is None else rating,
        )
