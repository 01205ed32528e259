"""Daily rollups of the appeals: the figures' counts and histograms, kept in the same transaction.

One row of `appeal_rollups` holds, for one day of registration and one cell (authority,
category, region, kind, channel), the counters the figures add up; `appeal_rollup_values`
holds the small histograms of the same cell: working days to the first action and to the
answer, the day each appeal was answered (the trend), and the due date of each appeal still
running (overdue and due-soon are read against today from it).

Every write of an appeal goes through the ORM session (apply_transition, filing, the jobs),
so the rollups are kept by a `before_flush` hook: for each appeal added, changed or deleted
in a flush, its old contribution (read from the database, as it was before the flush) is
taken away and its new one added, by UPSERTs in the same transaction. `flask rollups
rebuild` recomputes both tables from the appeals (after a bulk load, or to check: the test
suite compares a rebuild with the incremental tables).

Besides every cell, two coarser grains are kept: day and authority only, and day, authority
and topic (category); a view reads the coarsest that has what it asks for. Each grain is
kept per day and per month (the `_monthly` tables: `day` holds the first day of the month).
A period's whole months are read from the monthly tables and only the days at its ends from
the daily ones (reception.monitoring.queries): the counters and the histograms add up, so
the figures are exactly those of the days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from sqlalchemy import (
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    exists,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from reception.appeals.models import Appeal
from reception.domain.workflow import OPEN_STATUSES, RUNNING_STATUSES
from reception.extensions import db

CELL = ("day", "authority_id", "category_id", "region_id", "kind", "channel")
# The coarse grain: day and authority (its cells are the first two of CELL).
COARSE = ("day", "authority_id")
# The topic grain: day, authority and category (the first three of CELL): what views by or of
# one topic read (the cells barely compress, its rows do).
TOPIC = ("day", "authority_id", "category_id")
# Day and topic across every body: what the views of every body by or of one topic read (the
# topic grain holds a row per body too, some fifty times as many at national scale).
TOPIC_ONLY = ("day", "category_id")
COUNTERS = (
    "filed",
    "open",
    "answered",
    "on_time",
    "forwarded",
    "extensions",
    "rated",
    "rating_sum",
    "late_returns",
    "deemed_refused",
    # The honest figures (reception.monitoring.figures).
    "answer_days_sum",
    "paused_days_sum",
    "paused_appeals",
    "surveyed",
    "resolved",
    "repeats",
    "answers_repeated",
    # Answered appeals per bucket of working days to answer (figures.BUCKETS).
    "answered_in_0_5",
    "answered_in_6_10",
    "answered_in_11_15",
    "answered_in_16_20",
    "answered_in_21_30",
    "answered_in_31_plus",
)
BUCKETS = (
    ("answered_in_0_5", 0, 5),
    ("answered_in_6_10", 6, 10),
    ("answered_in_11_15", 11, 15),
    ("answered_in_16_20", 16, 20),
    ("answered_in_21_30", 21, 30),
    ("answered_in_31_plus", 31, None),
)
# Histograms: working days to the first action / to the answer; the day answered and the
# due date of a running appeal, as date ordinals.
FIRST_ACTION, ANSWER, ANSWERED_ON, RUNNING_DUE = "first_action", "answer", "answered_on", "due"
# The appeal columns a contribution is made of.
SOURCE = (
    "registered_on",
    "authority_id",
    "category_id",
    "region_id",
    "kind",
    "channel",
    "status",
    "answered_at",
    "answered_on_time",
    "forwards_count",
    "extensions_count",
    "rating",
    "returned_late",
    "deemed_refused_on",
    "first_action_days",
    "answer_days",
    "due_on",
    "paused_days",
    "resolved",
    "repeat_of_id",
)


class Counters:
    """The counters of one cell, the same at every grain."""

    filed: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    forwarded: Mapped[int] = mapped_column(Integer, default=0)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    late_returns: Mapped[int] = mapped_column(Integer, default=0)
    deemed_refused: Mapped[int] = mapped_column(Integer, default=0)
    answer_days_sum: Mapped[int] = mapped_column(Integer, default=0)
    paused_days_sum: Mapped[int] = mapped_column(Integer, default=0)
    paused_appeals: Mapped[int] = mapped_column(Integer, default=0)
    surveyed: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    # Answered appeals that a later appeal repeats (repeat_of_id points at them).
    answers_repeated: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_0_5: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_6_10: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_11_15: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_16_20: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_21_30: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_31_plus: Mapped[int] = mapped_column(Integer, default=0)


class CellKey:
    """The key columns of a cell: day, authority, category, region, kind and channel."""

    day: Mapped[date] = mapped_column(Date)
    authority_id: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))


class TopicKey:
    """Day, authority and topic (the first three of a cell's key)."""

    day: Mapped[date] = mapped_column(Date)
    authority_id: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(Integer)


class TopicOnlyKey:
    """Day and topic only."""

    day: Mapped[date] = mapped_column(Date)
    category_id: Mapped[int] = mapped_column(Integer)


class AuthorityKey:
    """Day and authority only."""

    day: Mapped[date] = mapped_column(Date)
    authority_id: Mapped[int] = mapped_column(Integer)


class Histogram:
    """One bar of a histogram: how many appeals have `value` for `measure`."""

    measure: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


def _key(key: tuple, table: str, *, histogram: bool = False) -> tuple:
    """The primary key of a rollup table: its key columns, and the bar of a histogram."""
    columns = (*key, "measure", "value") if histogram else key
    args: list = [PrimaryKeyConstraint(*columns, name=f"pk_{table}")]
    if histogram:
        # The running appeals' due dates alone (overdue, due soon), read per cell by the open
        # data and the figures: a tenth of the bars, from an index-only scan.
        args.append(
            Index(
                f"ix_{table}_due",
                *key,
                postgresql_include=["value", "count"],
                postgresql_where=text(f"measure = '{RUNNING_DUE}'"),
                sqlite_where=text(f"measure = '{RUNNING_DUE}'"),
            )
        )
    if key == TOPIC:
        # One topic across every body (a dashboard filtered by topic): its days read from
        # an index led by the topic (the primary key leads with the day and the body).
        included = ["authority_id", "measure", "value", "count"] if histogram else []
        args.append(Index(f"ix_{table}_topic", "category_id", "day", postgresql_include=included))
    return tuple(args)


DAY, MONTH = "day", "month"


@dataclass(frozen=True)
class Grain:
    key: tuple  # its key columns (some of CELL's, in CELL's order, the day first)
    counters: object  # its counters table
    values: object  # its histograms table
    period: str  # DAY, or MONTH (`day` is then the first day of the month)


def _declare(name: str, key: tuple, key_columns: type, suffix: str, period: str) -> Grain:
    """The two tables of a grain as models: its counters (appeal_rollups[_monthly]<suffix>)
    and its histograms (appeal_rollup_values[_monthly]<suffix>), both keyed by `key`."""
    monthly = "_monthly" if period == MONTH else ""
    tables = []
    for kind, base, histogram in (("", Counters, False), ("Value", Histogram, True)):
        table = f"appeal_rollup{'_values' if histogram else 's'}{monthly}{suffix}"
        model = type(
            f"{'Monthly' if monthly else ''}{name}Rollup{kind}",
            (key_columns, base, db.Model),
            {"__tablename__": table, "__table_args__": _key(key, table, histogram=histogram)},
        )
        tables.append(model.__table__)
    return Grain(key, *tables, period)


# The grains' keys, the columns of their keys, and their tables' names.
_CELLS = ("Appeal", CELL, CellKey, "")
_AUTHORITIES = ("Authority", COARSE, AuthorityKey, "_by_authority")  # /stats, unfiltered views
_TOPICS = ("Topic", TOPIC, TopicKey, "_by_topic")
_TOPICS_ONLY = ("TopicOnly", TOPIC_ONLY, TopicOnlyKey, "_by_topic_only")  # every body's together
# Every grain, per day and per month of registration (`day` is then the month's first day),
# in the order they were added (snapshot() lists them so).
GRAINS = tuple(
    _declare(*grain, period)
    for grain, period in (
        (_CELLS, DAY),
        (_AUTHORITIES, DAY),
        (_CELLS, MONTH),
        (_AUTHORITIES, MONTH),
        (_TOPICS, DAY),
        (_TOPICS, MONTH),
        (_TOPICS_ONLY, DAY),
        (_TOPICS_ONLY, MONTH),
    )
)
EVERY_KEY = (CELL, COARSE, TOPIC, TOPIC_ONLY)


def grains(
    periods: tuple[str, ...] = (DAY, MONTH), keys: tuple[tuple, ...] = EVERY_KEY
) -> tuple[Grain, ...]:
    """Every grain of these periods and keys."""
    return tuple(g for g in GRAINS if g.period in periods and g.key in keys)


def grain(period: str, columns: set[str]) -> Grain:
    """The coarsest grain of a period that has these key columns (besides the day): day and
    authority when at most the authority is asked, day and topic when only the topic is,
    day, authority and topic when both are, every cell else."""
    for key in (COARSE, TOPIC_ONLY, TOPIC, CELL):
        if set(columns) <= set(key):
            [candidate] = grains((period,), (key,))
            return candidate
    raise LookupError(columns)


def _bucket(day, period: str):
    return day.replace(day=1) if period == MONTH else day


def _ordinal(value) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        value = value.date()
    return value.toordinal()


def _in_bucket(days, low: int, high: int | None) -> bool:
    return days is not None and days >= low and (high is None or days <= high)


def contribution(row, repeated: bool) -> tuple[tuple, dict, dict]:
    """(cell, counters, {(measure, value): 1}) of one appeal (any object with SOURCE);
    `repeated`: a later appeal repeats it."""
    cell = (
        row.registered_on,
        row.authority_id,
        row.category_id,
        row.region_id,
        row.kind,
        row.channel,
    )
    counters = {
        "filed": 1,
        "open": int(row.status in OPEN_STATUSES),
        "answered": int(row.answered_at is not None),
        "on_time": int(row.answered_on_time is True),
        "forwarded": int((row.forwards_count or 0) > 0),
        "extensions": row.extensions_count or 0,
        "rated": int(row.rating is not None),
        "rating_sum": row.rating or 0,
        "late_returns": int(row.returned_late is True),
        "deemed_refused": int(row.deemed_refused_on is not None),
        "answer_days_sum": (row.answer_days or 0) if row.answered_at is not None else 0,
        "paused_days_sum": row.paused_days or 0,
        "paused_appeals": int((row.paused_days or 0) > 0),
        "surveyed": int(row.resolved is not None),
        "resolved": int(row.resolved is True),
        "repeats": int(row.repeat_of_id is not None),
        "answers_repeated": int(row.answered_at is not None and repeated),
    }
    for name, low, high in BUCKETS:
        counters[name] = int(row.answered_at is not None and _in_bucket(row.answer_days, low, high))
    values = {}
    if row.first_action_days is not None:
        values[(FIRST_ACTION, row.first_action_days)] = 1
    if row.answer_days is not None:
        values[(ANSWER, row.answer_days)] = 1
    if row.answered_at is not None:
        values[(ANSWERED_ON, _ordinal(row.answered_at))] = 1
    if row.status in RUNNING_STATUSES and row.due_on is not None:
        values[(RUNNING_DUE, _ordinal(row.due_on))] = 1
    return cell, counters, values


class Delta:
    """Changes to the rollups, summed per cell before they are written."""

    def __init__(self):
        self.counters: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
        self.values: dict[tuple, int] = defaultdict(int)

    def add(self, row, sign: int, repeated: bool) -> None:
        cell, counters, values = contribution(row, repeated)
        target = self.counters[cell]
        for name, amount in counters.items():
            target[name] += sign * amount
        for (measure, value), amount in values.items():
            self.values[(*cell, measure, value)] += sign * amount

    def write(self, connection) -> None:
        for each in grains():
            key, counters_table, values_table = each.key, each.counters, each.values
            picked = [CELL.index(name) for name in key[1:]]  # the key's columns of a cell
            counters: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
            for cell, counts in self.counters.items():
                target = counters[(_bucket(cell[0], each.period), *(cell[i] for i in picked))]
                for name, amount in counts.items():
                    target[name] += amount
            values: dict[tuple, int] = defaultdict(int)
            for full, amount in self.values.items():
                bucket = _bucket(full[0], each.period)
                values[(bucket, *(full[i] for i in picked), *full[-2:])] += amount
            rows = [
                dict(zip(key, cell, strict=True), **counts)
                for cell, counts in sorted(counters.items(), key=lambda i: repr(i[0]))
                if any(counts.values())
            ]
            if rows:
                connection.execute(_adding_upsert(counters_table, tuple(key), COUNTERS), rows)
            value_rows = [
                dict(zip((*key, "measure", "value"), k, strict=True), count=amount)
                for k, amount in sorted(values.items(), key=lambda i: repr(i[0]))
                if amount
            ]
            if value_rows:
                connection.execute(
                    _adding_upsert(values_table, (*key, "measure", "value"), ("count",)),
                    value_rows,
                )


@lru_cache(maxsize=64)
def _adding_upsert(table, key: tuple, added: tuple):
    """INSERT ... ON CONFLICT (key) DO UPDATE SET each added column to its sum, the same SQL
    on SQLite and PostgreSQL, as a text statement with typed parameters.

    SQLAlchemy's own ON CONFLICT constructs cannot be kept in its compiled cache: each of the
    sixteen upserts of a filing was compiled again, half the time of a filing. A text
    statement is compiled once per connection's dialect and kept."""
    columns = (*key, *added)

    def listed(names) -> str:
        return ", ".join(f'"{n}"' for n in names)

    # Only the rollup tables' own names go into the text; the values are parameters.
    name = f'"{table.name}"'
    sums = ", ".join(f'"{c}" = {name}."{c}" + excluded."{c}"' for c in added)
    sql = (
        f"INSERT INTO {name} ({listed(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "  # noqa: S608
        f"ON CONFLICT ({listed(key)}) DO UPDATE SET {sums}"
    )
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))


def _repeat_target(appeal: Appeal):
    """The id of the appeal this one repeats, as it will be flushed."""
    target = appeal.__dict__.get("repeat_of")
    if target is not None:
        return target.id
    return appeal.repeat_of_id


def _before_flush(session: Session, flush_context, instances) -> None:
    """Take away the old contributions (read from the database before it changes).

    An appeal's contribution depends on whether a later appeal repeats it, so the appeals
    that a changed, added or deleted appeal repeats (before or after) are taken away too and
    added back after the flush with their new count of repeats.
    """
    changed = [o for o in session.dirty if isinstance(o, Appeal) and session.is_modified(o)]
    added = [o for o in session.new if isinstance(o, Appeal)]
    deleted = [o for o in session.deleted if isinstance(o, Appeal)]
    if not (changed or added or deleted):
        return
    delta = Delta()
    own_ids = {o.id for o in changed + deleted if o.id is not None}
    targets = {_repeat_target(o) for o in changed + added} - {None}
    table = Appeal.__table__
    later = table.alias("later")
    repeats_of = (
        select(func.count())
        .select_from(later)
        .where(later.c.repeat_of_id == table.c.id)
        .scalar_subquery()
    )
    old: dict = {}
    if own_ids or targets:
        columns = [table.c[name] for name in SOURCE]
        with session.no_autoflush:
            for row in session.execute(
                select(table.c.id, *columns, repeats_of.label("repeated_by")).where(
                    table.c.id.in_(own_ids | targets)
                )
            ).all():
                old[row.id] = row
    # Repeats pointing at each appeal after the flush: before, less those changed or deleted
    # here, plus those changed or added here.
    repeated_by = {i: row.repeated_by for i, row in old.items()}
    for row in old.values():
        if row.id in own_ids and row.repeat_of_id is not None:
            repeated_by[row.repeat_of_id] = repeated_by.get(row.repeat_of_id, 0) - 1
            targets.add(row.repeat_of_id)
    missing = targets - set(old)
    if missing:
        with session.no_autoflush:
            for row in session.execute(
                select(
                    table.c.id, *[table.c[n] for n in SOURCE], repeats_of.label("repeated_by")
                ).where(table.c.id.in_(missing))
            ).all():
                old[row.id] = row
                repeated_by[row.id] = repeated_by.get(row.id, 0) + row.repeated_by
    for appeal in changed + added:
        target = _repeat_target(appeal)
        if target is not None:
            repeated_by[target] = repeated_by.get(target, 0) + 1
    objects = {o.id for o in changed + added if o.id is not None}
    for row in old.values():
        if row.id in own_ids or row.id in targets:
            delta.add(row, -1, row.repeated_by > 0)
    # Appeals repeated here but not written themselves come back as they were, with their
    # new count of repeats.
    untouched = [old[i] for i in targets if i in old and i not in objects and i not in own_ids]
    session.info["rollup_pending"] = (delta, changed + added, untouched, repeated_by)


def _after_flush(session: Session, flush_context) -> None:
    """Add the new contributions (foreign keys and defaults are set now) and write."""
    pending = session.info.pop("rollup_pending", None)
    if pending is None:
        return
    delta, appeals, untouched, repeated_by = pending
    for appeal in appeals:
        delta.add(appeal, +1, repeated_by.get(appeal.id, 0) > 0)
    for row in untouched:
        delta.add(row, +1, repeated_by.get(row.id, 0) > 0)
    delta.write(session.connection())


def install_rollups() -> None:
    """Keep the rollups with every flush of appeals (idempotent)."""
    for name, hook in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def _ordinal_sql(session: Session, column):
    """A date's (or a UTC timestamp's date's) proleptic ordinal, as date.toordinal()."""
    if session.get_bind().dialect.name == "postgresql":
        return (cast(column, Date) - literal(date(1, 1, 1))) + 1
    return cast(func.julianday(func.date(column)) - func.julianday("0001-01-01"), Integer) + 1


def _bucket_sql(column, low: int, high: int | None):
    condition = column >= low
    return condition if high is None else and_(condition, column <= high)


def _month_sql(session: Session, column):
    """The first day of a date's month, as a date, in either database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def rollup_tables() -> list[str]:
    """The names of every rollup table, counters and histograms, of every grain."""
    return [table.name for each in grains() for table in (each.counters, each.values)]


def refresh_statistics(session: Session) -> None:
    """Tell the planner what the rollup tables hold after a rebuild, and on PostgreSQL mark
    their pages all-visible (index-only scans): until autovacuum came by, the dashboards'
    reads were planned for empty tables, a scan of the whole grain for a topic's two years
    instead of its index (10 to 25 times slower at a million appeals). Call it after the
    rebuild is committed; on SQLite, commit after it."""
    engine = session.get_bind().engine
    if engine.dialect.name == "postgresql":
        # VACUUM runs outside a transaction: on a connection of its own.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for name in rollup_tables():
                connection.exec_driver_sql(f"VACUUM ANALYZE {name}")
    else:
        for name in rollup_tables():
            session.execute(text(f"ANALYZE {name}"))


def rebuild(
    session: Session,
    periods: tuple[str, ...] = (DAY, MONTH),
    keys: tuple[tuple, ...] = EVERY_KEY,
) -> None:
    """Recompute every grain (of these periods and keys) from the appeals, in SQL (GROUP BY),
    in this transaction.

    Written apart from the incremental path on purpose: the test that compares the two
    compares two ways of counting.
    """
    a = Appeal.__table__.c
    full = {
        "day": a.registered_on,
        "authority_id": a.authority_id,
        "category_id": a.category_id,
        "region_id": a.region_id,
        "kind": a.kind,
        "channel": a.channel,
    }

    def ones(condition):
        return func.sum(case((condition, 1), else_=0))

    later = Appeal.__table__.alias("later")
    answered = a.answered_at.is_not(None)

    for each in grains(periods, keys):
        key, counters_table, values_table = each.key, each.counters, each.values
        session.execute(delete(values_table))
        session.execute(delete(counters_table))
        columns = dict(full)
        if each.period == MONTH:
            columns["day"] = _month_sql(session, a.registered_on)
        cell = [columns[name] for name in key]
        counts = select(
            *cell,
            func.count(),
            ones(a.status.in_(OPEN_STATUSES)),
            ones(a.answered_at.is_not(None)),
            ones(a.answered_on_time.is_(True)),
            ones(a.forwards_count > 0),
            func.coalesce(func.sum(a.extensions_count), 0),
            func.count(a.rating),
            func.coalesce(func.sum(a.rating), 0),
            ones(a.returned_late.is_(True)),
            func.count(a.deemed_refused_on),
            func.coalesce(func.sum(case((answered, a.answer_days), else_=0)), 0),
            func.coalesce(func.sum(a.paused_days), 0),
            ones(a.paused_days > 0),
            func.count(a.resolved),
            ones(a.resolved.is_(True)),
            func.count(a.repeat_of_id),
            ones(and_(answered, exists(select(later.c.id).where(later.c.repeat_of_id == a.id)))),
            *(
                ones(and_(answered, _bucket_sql(a.answer_days, low, high)))
                for _, low, high in BUCKETS
            ),
        ).group_by(*cell)
        session.execute(insert(counters_table).from_select([*key, *COUNTERS], counts))
        measures = (
            (FIRST_ACTION, a.first_action_days, a.first_action_days.is_not(None)),
            (ANSWER, a.answer_days, a.answer_days.is_not(None)),
            (ANSWERED_ON, _ordinal_sql(session, a.answered_at), a.answered_at.is_not(None)),
            (RUNNING_DUE, _ordinal_sql(session, a.due_on), a.status.in_(RUNNING_STATUSES)),
        )
        for measure, value, condition in measures:
            rows = (
                select(*cell, literal(measure), value, func.count())
                .where(condition)
                .group_by(*cell, value)
            )
            session.execute(
                insert(values_table).from_select([*key, "measure", "value", "count"], rows)
            )


def snapshot(session: Session) -> list[set]:
    """Every grain's tables as sets of tuples, rows that add up to nothing left out."""
    result = []
    for each in grains():
        key, counters_table, values_table = each.key, each.counters, each.values
        result.append(
            {
                tuple(r)
                for r in session.execute(
                    select(*[counters_table.c[n] for n in (*key, *COUNTERS)])
                ).all()
                if any(r[len(key) :])
            }
        )
        result.append({tuple(r) for r in session.execute(select(values_table)).all() if r.count})
    return result
