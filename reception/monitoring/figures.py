"""Figures nobody can game: honest on-time share, paused days, distributions, resolution,
repeats and the cost of misrouting; the Wilson interval for public comparisons.

Every figure is a sum of counts per appeal, so the figures of groups add up and the same
numbers come out of the open data file (reception.monitoring.open_data) as out of the
dashboard. The counts are aggregated by SQL (`loop_counts`), one query whatever the size;
only the cost of misrouting walks the forward events of forwarded, answered appeals (a
calendar is needed to count working days between two receipts). The pages read the counts
from the rollups (`rolled_counts`, reception.monitoring.rollups: whole months from the
monthly grain, the days at the ends from the daily one); `loop_counts` computes the same
counts from the appeals (the tests compare the two).

Definitions (also in the README):
- on-time share = answered on time / (answered + still open and already overdue). An
  appeal left open past its due date counts against the body, so leaving hard cases open
  does not improve it.
- working days to answer exclude the days the term was paused waiting for the applicant;
  the paused working days are shown apart.
- resolution share = applicants who said "resolved" / applicants who answered the question.
- repeat rate = answers followed by a repeat appeal / answers.
- cost of misrouting = working days from the receipt at one body to the receipt at the next,
  for each forward of an answered appeal, counted against the body that forwarded it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from reception.appeals.models import Appeal, AppealEvent
from reception.directory.models import Authority
from reception.domain.calendar import WorkingCalendar
from reception.domain.workflow import Action
from reception.monitoring.filters import DashboardFilters
from reception.monitoring.queries import (
    _conditions,
    _rollup_conditions,
    _rollup_group,
    _rollup_parts,
    group_expression,
)

# Buckets of working days to answer: (label, lowest, highest or None).
BUCKETS = (
    ("0-5", 0, 5),
    ("6-10", 6, 10),
    ("11-15", 11, 15),
    ("16-20", 16, 20),
    ("21-30", 21, 30),
    ("31+", 31, None),
)
BUCKET_FIELDS = tuple(
    f"answered_in_{label.replace('-', '_').replace('+', '_plus')}" for label, _, _ in BUCKETS
)


@dataclass
class LoopFigures:
    """The counts behind the honest figures of one group; all of them add up."""

    key: object = None
    filed: int = 0
    answered: int = 0
    answered_on_time: int = 0
    open_overdue: int = 0
    answer_days_sum: int = 0
    paused_days_sum: int = 0
    paused_appeals: int = 0
    surveyed: int = 0
    resolved: int = 0
    repeats: int = 0
    answers_repeated: int = 0
    forwards_made: int = 0
    forward_days_lost: int = 0
    buckets: dict = field(default_factory=dict)

    @property
    def on_time_base(self) -> int:
        return self.answered + self.open_overdue

    @property
    def on_time_share(self) -> float | None:
        return share(self.answered_on_time, self.on_time_base)

    @property
    def resolution_share(self) -> float | None:
        return share(self.resolved, self.surveyed)

    @property
    def repeat_rate(self) -> float | None:
        return share(self.answers_repeated, self.answered)

    @property
    def answer_days_mean(self) -> float | None:
        return self.answer_days_sum / self.answered if self.answered else None

    @property
    def paused_days_mean(self) -> float | None:
        return self.paused_days_sum / self.paused_appeals if self.paused_appeals else None

    @property
    def days_lost_per_forward(self) -> float | None:
        return self.forward_days_lost / self.forwards_made if self.forwards_made else None

    def interval(self, name: str, z: float = 1.96) -> tuple[float, float] | None:
        """The Wilson interval of a share: 'on_time', 'resolution' or 'repeat'."""
        k, n = {
            "on_time": (self.answered_on_time, self.on_time_base),
            "resolution": (self.resolved, self.surveyed),
            "repeat": (self.answers_repeated, self.answered),
        }[name]
        return wilson(k, n, z)


COUNTS = tuple(f.name for f in fields(LoopFigures) if f.name not in ("key", "buckets"))


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval (95% for z = 1.96) of a share; None without trials."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def combine(groups: list[LoopFigures], key=None) -> LoopFigures:
    total = LoopFigures(key=key)
    for group in groups:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(group, name))
        for label, count in group.buckets.items():
            total.buckets[label] = total.buckets.get(label, 0) + count
    return total


def month_expression(session: Session, column):
    """'YYYY-MM' of a date column, in either database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _count_columns(today: date) -> list:
    later = aliased(Appeal)
    answered = Appeal.answered_at.is_not(None)
    columns = [
        func.count().label("filed"),
        func.sum(case((answered, 1), else_=0)).label("answered"),
        func.sum(case((Appeal.answered_on_time.is_(True), 1), else_=0)).label("answered_on_time"),
        func.sum(case((Appeal.is_overdue(today), 1), else_=0)).label("open_overdue"),
        func.coalesce(func.sum(case((answered, Appeal.answer_days), else_=0)), 0).label(
            "answer_days_sum"
        ),
        func.coalesce(func.sum(Appeal.paused_days), 0).label("paused_days_sum"),
        func.sum(case((Appeal.paused_days > 0, 1), else_=0)).label("paused_appeals"),
        func.count(Appeal.resolved).label("surveyed"),
        func.sum(case((Appeal.resolved.is_(True), 1), else_=0)).label("resolved"),
        func.count(Appeal.repeat_of_id).label("repeats"),
        func.sum(
            case(
                (
                    and_(
                        answered,
                        exists(select(later.id).where(later.repeat_of_id == Appeal.id)),
                    ),
                    1,
                ),
                else_=0,
            )
        ).label("answers_repeated"),
    ]
    for name, (_, low, high) in zip(BUCKET_FIELDS, BUCKETS, strict=True):
        condition = and_(answered, Appeal.answer_days >= low)
        if high is not None:
            condition = and_(condition, Appeal.answer_days <= high)
        columns.append(func.sum(case((condition, 1), else_=0)).label(name))
    return columns


def _from_row(key, row) -> LoopFigures:
    figures = LoopFigures(key=key)
    for name in COUNTS:
        if name in row:
            setattr(figures, name, int(row[name] or 0))
    figures.buckets = {
        label: int(row[name] or 0)
        for name, (label, _, _) in zip(BUCKET_FIELDS, BUCKETS, strict=True)
    }
    return figures


def loop_counts(
    session: Session,
    conditions: list,
    groups: list,
    *,
    today: date,
) -> dict[tuple, LoopFigures]:
    """{group key tuple: figures} of the appeals matching the conditions (one query)."""
    labelled = [g.label(f"g{i}") for i, g in enumerate(groups)]
    query = select(*labelled, *_count_columns(today)).where(*conditions)
    if groups:
        query = query.group_by(*groups)
    result = {}
    for row in session.execute(query).mappings():
        key = tuple(row[f"g{i}"] for i in range(len(groups)))
        if not groups and not row["filed"]:
            continue
        result[key] = _from_row(key[0] if len(key) == 1 else key, row)
    return result


def _key_value(value, dimension: str):
    """A group key as the live queries give it: dates for weeks, 'YYYY-MM' for months."""
    if isinstance(value, str) and dimension in ("week", "month"):
        value = date.fromisoformat(value[:10])
    elif hasattr(value, "date") and not isinstance(value, date):
        value = value.date()
    if dimension == "month" and value is not None:
        return value.strftime("%Y-%m")
    return value


def rolled_counts(
    session: Session,
    filters: DashboardFilters,
    scope,
    dimensions: list[str],
    *,
    today: date,
) -> dict[tuple, LoopFigures]:
    """{group key tuple: figures} from the rollups: the same counts as `loop_counts` of the
    appeals the filters select, grouped by the dimensions (those of the dashboard, or
    "month": 'YYYY-MM'). Two queries per grain read, whatever the size."""
    from reception.monitoring.rollups import BUCKETS as ROLLED_BUCKETS
    from reception.monitoring.rollups import RUNNING_DUE

    names = [n for n in COUNTS if n not in ("open_overdue", "forwards_made", "forward_days_lost")]
    rolled = {"answered_on_time": "on_time"}
    bucket_names = [name for name, _, _ in ROLLED_BUCKETS]
    totals: dict = {}
    overdue: dict = {}
    for grain, ranges in _rollup_parts(filters, *dimensions, scope=scope):
        counters, values = grain.counters, grain.values
        groups = [_rollup_group(session, d, counters) for d in dimensions]
        labelled = [g.label(f"g{i}") for i, g in enumerate(groups)]
        sums = [
            func.coalesce(func.sum(counters.c[rolled.get(n, n)]), 0).label(n)
            for n in names + bucket_names
        ]
        query = select(*labelled, *sums).where(
            *_rollup_conditions(filters, scope, counters, ranges)
        )
        if groups:
            query = query.group_by(*groups)
        for row in session.execute(query).mappings():
            key = tuple(_key_value(row[f"g{i}"], d) for i, d in enumerate(dimensions))
            target = totals.setdefault(key, dict.fromkeys(names + bucket_names, 0))
            for name in names + bucket_names:
                target[name] += int(row[name] or 0)
        value_groups = [_rollup_group(session, d, values) for d in dimensions]
        for row in session.execute(
            select(
                *[g.label(f"g{i}") for i, g in enumerate(value_groups)],
                func.sum(values.c["count"]).label("n"),
            )
            .where(
                *_rollup_conditions(filters, scope, values, ranges),
                values.c.measure == RUNNING_DUE,
                values.c.value < today.toordinal(),
            )
            .group_by(*value_groups)
        ).mappings():
            key = tuple(_key_value(row[f"g{i}"], d) for i, d in enumerate(dimensions))
            overdue[key] = overdue.get(key, 0) + int(row["n"] or 0)
    result = {}
    for key, counts in totals.items():
        if not counts["filed"]:
            continue
        figures = LoopFigures(key=key[0] if len(key) == 1 else key)
        for name in names:
            setattr(figures, name, counts[name])
        figures.open_overdue = overdue.get(key, 0)
        figures.buckets = {
            label: counts[name] for name, (label, _, _) in zip(bucket_names, BUCKETS, strict=True)
        }
        result[key] = figures
    return result


def forward_costs(session: Session, conditions: list, calendar: WorkingCalendar) -> list[tuple]:
    """(appeal, forwarding body's code, working days lost) for each forward of an answered
    appeal matching the conditions: from its receipt at that body to the receipt at the next.

    The appeal is a row of its id, registration day, topic and region (no object is loaded).
    """
    rows = session.execute(
        select(
            Appeal.id,
            Appeal.registered_on,
            Appeal.category_id,
            Appeal.region_id,
            AppealEvent.data,
        )
        .join(AppealEvent, AppealEvent.appeal_id == Appeal.id)
        .where(
            *conditions,
            Appeal.forwards_count > 0,
            Appeal.answered_at.is_not(None),
            AppealEvent.action == Action.forward,
        )
        .order_by(AppealEvent.appeal_id, AppealEvent.id)
    ).all()
    result, received = [], {}
    for appeal in rows:
        start = received.get(appeal.id, appeal.registered_on)
        data = appeal.data or {}
        try:
            arrived = date.fromisoformat(data["received_on"])
        except (KeyError, TypeError, ValueError):
            continue
        result.append((appeal, data.get("from", ""), calendar.working_days_between(start, arrived)))
        received[appeal.id] = arrived
    return result


@dataclass
class Dashboard:
    """The honest figures of the dashboard: per group, overall, and per forwarding body."""

    groups: list[LoopFigures]
    total: LoopFigures
    forwarders: list[LoopFigures]


def dashboard_figures(
    session: Session,
    filters: DashboardFilters,
    scope,
    *,
    today: date,
    calendar: WorkingCalendar,
    dimension: str = "authority",
    live: bool = False,
) -> Dashboard:
    """The honest figures per group of the dimension; the counts from the rollups (`live`:
    from the appeals, for the tests that compare the two), the forwards' cost from the
    forward events."""
    conditions = _conditions(session, filters, scope)
    if live:
        group = group_expression(session, dimension)
        groups = list(loop_counts(session, conditions, [group], today=today).values())
    else:
        groups = list(rolled_counts(session, filters, scope, [dimension], today=today).values())
    for figures in groups:
        if dimension == "week" and isinstance(figures.key, str):
            figures.key = date.fromisoformat(figures.key[:10])
        elif hasattr(figures.key, "date") and not isinstance(figures.key, date):
            figures.key = figures.key.date()
    forwarders: dict[str, LoopFigures] = {}
    for _appeal, code, days in forward_costs(session, conditions, calendar):
        entry = forwarders.setdefault(code, LoopFigures(key=code))
        entry.forwards_made += 1
        entry.forward_days_lost += days
    if dimension == "authority":
        # Per body, the forwards it made are its own cost (the appeal is counted elsewhere).
        ids = dict(session.execute(select(Authority.code, Authority.id)).all())
        by_id = {g.key: g for g in groups}
        for code, cost in forwarders.items():
            entry = by_id.get(ids.get(code))
            if entry is None and scope is not None and ids.get(code) not in scope:
                continue  # a body outside the head's scope forwarded into it: listed apart
            if entry is None:
                entry = by_id[ids.get(code)] = LoopFigures(key=ids.get(code))
                groups.append(entry)
            entry.forwards_made += cost.forwards_made
            entry.forward_days_lost += cost.forward_days_lost
    total = combine(groups)
    total.forwards_made = sum(f.forwards_made for f in forwarders.values())
    total.forward_days_lost = sum(f.forward_days_lost for f in forwarders.values())
    return Dashboard(
        groups=groups,
        total=total,
        forwarders=sorted(forwarders.values(), key=lambda f: -f.forward_days_lost),
    )


def bucket_rows(figures: LoopFigures) -> list[tuple[str, int, float]]:
    """(label, appeals, share of the largest bucket) for a histogram drawn as bars."""
    counts = [(label, figures.buckets.get(label, 0)) for label, _, _ in BUCKETS]
    top = max((c for _, c in counts), default=0) or 1
    return [(label, count, count / top) for label, count in counts]
