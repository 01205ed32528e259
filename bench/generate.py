"""Fill a database with N appeals with realistic histories, fast.

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1/bench \
        --count 1000000
    python -m bench.generate --database-url sqlite:////tmp/bench/reception.db --count 5000

The schema comes from the migrations and the reference data from `seed reference`, as in
production. Appeals are spread over the two years before today across every region and
topic; about 80% are answered (on time or late, some after a clarification pause), some are
forwarded, extended, rated, withdrawn or still open, each with the events of its history.
PostgreSQL is filled with COPY, SQLite with batched INSERTs: the same rows for the same seed.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

APPEAL_COLUMNS = (
    "id, number, year, sequence, kind, status, channel, language, category_id, region_id, "
    "authority_id, subject, published_subject, published_answer, text, applicant_type, "
    "full_name, email, phone, address, "
    "publish_consent, access_code_hash, received_at, registered_on, due_on, received_on, "
    "paused_days, first_action_at, first_action_days, answered_at, answer_days, "
    "answered_on_time, closed_at, updated_at, extensions_count, forwards_count, rating, "
    "notice_due"
)
EVENT_COLUMNS = (
    "appeal_id, action, from_status, to_status, actor_role, authority_id, "
    "is_public, comment, data, created_at"
)
# Rows written by earlier runs, children first.
GENERATED_TABLES = (
    "delivery_attempts",
    "outbox_messages",
    "attachments",
    "appeal_events",
    "appeals",
    "registration_counters",
)
BATCH = 20_000
PUBLISHED_ANSWER = "The appeal was considered and answered within the term."


def progress(done: int, total: int, started: float, label: str) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(
        f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} ({rate:,.0f}/s)"
    )
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def prepare_schema(database_url: str) -> None:
    """Migrate and seed the reference data through the application itself."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("RECEPTION_TOTP_KEYS", "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZy0hISE=")
    os.environ["RECEPTION_ENV"] = "production"
    from flask_migrate import upgrade

    from reception import create_app
    from reception.directory.seed import seed_reference
    from reception.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        seed_reference(db.session)
        db.session.commit()


@dataclass(frozen=True)
class Reference:
    """The ids of the reference data the appeals point to."""

    categories: list[int]
    regions: list[int]
    akimat_of: dict[int, int]  # region id -> its region or city akimat
    districts: list[int]

    @classmethod
    def read(cls, execute) -> Reference:
        """Read with `execute(sql)` returning rows (a cursor's or a connection's)."""
        return cls(
            categories=[r[0] for r in execute("SELECT id FROM categories")],
            regions=[r[0] for r in execute("SELECT id FROM regions")],
            akimat_of=dict(
                execute("SELECT region_id, id FROM authorities WHERE level IN ('region', 'city')")
            ),
            districts=[
                r[0] for r in execute("SELECT id FROM authorities WHERE level = 'district'")
            ],
        )


def appeal_batches(
    reference: Reference, count: int, sequences: dict[int, int], seed: int = 2026
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Yield (appeal rows, event rows) in batches; fills `sequences` {year: last number}.

    Rows follow APPEAL_COLUMNS and EVENT_COLUMNS; times are aware UTC datetimes.
    """
    rng = random.Random(seed)
    categories, regions = reference.categories, reference.regions
    akimat_of, districts = reference.akimat_of, reference.districts
    today = date.today()
    start = today - timedelta(days=730)
    kinds = (
        ["application"] * 70
        + ["complaint"] * 8
        + ["request"] * 10
        + ["proposal"] * 5
        + ["response"] * 3
        + ["report"] * 4
    )
    channels = ["web"] * 80 + ["api"] * 8 + ["paper"] * 6 + ["phone"] * 4 + ["in_person"] * 2
    appeals: list[tuple] = []
    events: list[tuple] = []
    for i in range(1, count + 1):
        registered = start + timedelta(days=int(730 * (i / count)) + rng.randint(-3, 3))
        registered = min(max(registered, start), today)
        while registered.weekday() >= 5:
            registered -= timedelta(days=1)
        received = datetime(
            registered.year,
            registered.month,
            registered.day,
            rng.randint(3, 12),
            rng.randint(0, 59),
            tzinfo=UTC,
        )
        year = registered.year
        sequences[year] = sequences.get(year, 0) + 1
        region = rng.choice(regions)
        authority = akimat_of[region]
        kind = rng.choice(kinds)
        term = 20 if kind == "complaint" else 15
        due = registered + timedelta(days=term * 7 // 5)
        age = (today - registered).days
        fate = rng.random()
        forwards = 1 if rng.random() < 0.06 else 0
        if forwards and districts:
            authority = rng.choice(districts)
        extensions = 1 if rng.random() < 0.04 and kind != "complaint" else 0
        if extensions:
            due += timedelta(days=21)
        paused = rng.randint(2, 6) if rng.random() < 0.08 else 0
        first_days = min(rng.randint(0, 4), max(age * 5 // 7, 0))
        status, answered_at, answer_days, on_time, closed_at, rating = (
            "registered",
            None,
            None,
            None,
            None,
            None,
        )
        first_at = None
        if age > 1:
            first_at = received + timedelta(days=first_days * 7 // 5 + 1)
        if fate < 0.8 and age > 3:
            answer_days = max(first_days, int(rng.lognormvariate(2.3, 0.45)))
            answered_at = received + timedelta(days=(answer_days + paused) * 7 // 5 + 1)
            if answered_at.date() > today:
                answered_at, answer_days = None, None
        if answered_at is not None:
            on_time = answered_at.date() <= due
            status = "answered"
            if rng.random() < 0.45:
                rating = rng.choices([1, 2, 3, 4, 5], [8, 7, 15, 30, 40])[0]
                status, closed_at = "closed", answered_at + timedelta(days=2)
        elif fate < 0.83:
            status = "withdrawn"
        elif first_at is not None:
            status = "in_progress"
        updated = closed_at or answered_at or first_at or received
        number = f"RC-{year}-{sequences[year]:08d}"
        channel = rng.choice(channels)
        # Most letters, calls and visits come without e-mail: each step is told by post or
        # phone, and recorded as told for nine in ten answers.
        no_email = channel in ("paper", "phone", "in_person") and rng.random() < 0.6
        told = no_email and answered_at is not None and rng.random() < 0.9
        appeals.append(
            (
                i,
                number,
                year,
                sequences[year],
                kind,
                status,
                channel,
                rng.choice(("kk", "ru", "ru", "en")),
                rng.choice(categories),
                region,
                authority,
                f"Appeal {i}",
                f"Appeal {i}",  # nothing personal in it: published as it is
                PUBLISHED_ANSWER if answered_at is not None else None,
                "Bench appeal text. " * 5,
                "person",
                f"Applicant {i}",
                "" if no_email else f"a{i}@bench.kz",
                "",
                "Astana",
                rng.random() < 0.3,
                "sha256$0$0",
                received,
                registered,
                due,
                registered,
                paused,
                first_at,
                first_days if first_at else None,
                answered_at,
                answer_days,
                on_time,
                closed_at,
                updated,
                extensions,
                forwards,
                rating,
                no_email and first_at is not None and not told,
            )
        )
        events.append(
            (i, "register", None, "registered", None, authority, True, "", "{}", received)
        )
        if first_at is not None:
            events.append(
                (
                    i,
                    "take",
                    "registered",
                    "in_progress",
                    "official",
                    authority,
                    True,
                    "",
                    "{}",
                    first_at,
                )
            )
        if answered_at is not None:
            events.append(
                (
                    i,
                    "answer",
                    "in_progress",
                    "answered",
                    "official",
                    authority,
                    True,
                    "Answer.",
                    "{}",
                    answered_at,
                )
            )
        if told:
            events.append(
                (
                    i,
                    "notified",
                    "answered",
                    "answered",
                    "official",
                    authority,
                    False,
                    "",
                    '{"by": "phone"}',
                    answered_at + timedelta(hours=20),
                )
            )
        if closed_at is not None:
            events.append(
                (
                    i,
                    "rate",
                    "answered",
                    "closed",
                    "citizen",
                    authority,
                    True,
                    "",
                    "{}",
                    closed_at,
                )
            )
        if i % BATCH == 0 or i == count:
            yield appeals, events
            appeals, events = [], []


def _write_postgres(url: str, count: int, seed: int) -> int:
    import psycopg

    sequences: dict[int, int] = {}
    started = time.perf_counter()
    events_written = 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        cur = conn.cursor()
        cur.execute(f"TRUNCATE {', '.join(GENERATED_TABLES)} RESTART IDENTITY CASCADE")
        reference = Reference.read(cur.execute)
        done = 0
        for appeals, events in appeal_batches(reference, count, sequences, seed):
            # One COPY at a time on a connection: the appeals, then their events.
            with cur.copy(f"COPY appeals ({APPEAL_COLUMNS}) FROM STDIN") as copy:
                for row in appeals:
                    copy.write_row(row)
            with cur.copy(f"COPY appeal_events ({EVENT_COLUMNS}) FROM STDIN") as copy:
                for event in events:
                    copy.write_row(event)
            events_written += len(events)
            done += len(appeals)
            progress(done, count, started, "appeals")
        for year, last in sequences.items():
            cur.execute(
                "INSERT INTO registration_counters (year, last_value) VALUES (%s, %s)", (year, last)
            )
        cur.execute("SELECT setval(pg_get_serial_sequence('appeals', 'id'), %s)", (count,))
        conn.commit()
        conn.commit()
        # As autovacuum leaves a table in production: statistics, and pages marked
        # all-visible (the index-only scans of the queue's count and deep pages).
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE appeals")
        cur.execute("VACUUM ANALYZE appeal_events")
    return events_written


def sqlite_value(value):
    """A value as SQLAlchemy stores it on SQLite (naive UTC text, ISO dates, 0/1)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def sqlite_path(database_url: str) -> str:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or database_url == prefix:
        raise ValueError(f"not a SQLite file URL: {database_url}")
    return database_url[len(prefix) :]


def _write_sqlite(url: str, count: int, seed: int) -> int:
    sequences: dict[int, int] = {}
    started = time.perf_counter()
    events_written = 0
    conn = sqlite3.connect(sqlite_path(url))
    try:
        for table in GENERATED_TABLES:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
        reference = Reference.read(conn.execute)
        appeal_sql = (
            f"INSERT INTO appeals ({APPEAL_COLUMNS}) "  # noqa: S608 (fixed column names)
            f"VALUES ({', '.join('?' * len(APPEAL_COLUMNS.split(',')))})"
        )
        event_sql = (
            f"INSERT INTO appeal_events ({EVENT_COLUMNS}) "  # noqa: S608 (fixed column names)
            f"VALUES ({', '.join('?' * len(EVENT_COLUMNS.split(',')))})"
        )
        done = 0
        for appeals, events in appeal_batches(reference, count, sequences, seed):
            conn.executemany(appeal_sql, ([sqlite_value(v) for v in row] for row in appeals))
            conn.executemany(event_sql, ([sqlite_value(v) for v in row] for row in events))
            events_written += len(events)
            done += len(appeals)
            progress(done, count, started, "appeals")
        conn.executemany(
            "INSERT INTO registration_counters (year, last_value) VALUES (?, ?)",
            sequences.items(),
        )
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
    return events_written


def generate(database_url: str, count: int, seed: int = 2026) -> None:
    started = time.perf_counter()
    if database_url.startswith("sqlite"):
        events_written = _write_sqlite(database_url, count, seed)
    else:
        events_written = _write_postgres(database_url, count, seed)
    sys.stderr.write(
        f"{count:,} appeals and {events_written:,} events in "
        f"{time.perf_counter() - started:.0f} s\n"
    )


def rebuild_rollups(database_url: str) -> None:
    """The rows were written around the application: rebuild the figures' rollups once."""
    os.environ["DATABASE_URL"] = database_url
    from reception import create_app
    from reception.extensions import db
    from reception.monitoring.rollups import rebuild, refresh_statistics

    started = time.perf_counter()
    with create_app().app_context():
        rebuild(db.session)
        db.session.commit()
        refresh_statistics(db.session)
        db.session.commit()
    sys.stderr.write(f"rollups rebuilt in {time.perf_counter() - started:.0f} s\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    prepare_schema(args.database_url)
    generate(args.database_url, args.count)
    rebuild_rollups(args.database_url)


if __name__ == "__main__":
    main()
