"""Fill a PostgreSQL database with N appeals with realistic histories, fast (COPY).

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1/bench \
        --count 1000000

The schema comes from the migrations and the reference data from `seed reference`, as in
production. Appeals are spread over the two years before today across every region and
topic; about 80% are answered (on time or late, some after a clarification pause), some are
forwarded, extended, rated, withdrawn or still open, each with the events of its history.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

import psycopg


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


def generate(database_url: str, count: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        cur.execute(
            "TRUNCATE appeal_events, attachments, outbox_messages, delivery_attempts, "
            "appeals, registration_counters RESTART IDENTITY CASCADE"
        )
        categories = [r[0] for r in cur.execute("SELECT id FROM categories")]
        regions = [r[0] for r in cur.execute("SELECT id FROM regions")]
        akimat_of = dict(
            cur.execute("SELECT region_id, id FROM authorities WHERE level IN ('region', 'city')")
        )
        districts = [
            r[0] for r in cur.execute("SELECT id FROM authorities WHERE level = 'district'")
        ]
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

        appeal_columns = (
            "id, number, year, sequence, kind, status, channel, language, category_id, region_id, "
            "authority_id, subject, text, applicant_type, full_name, email, phone, address, "
            "publish_consent, access_code_hash, received_at, registered_on, due_on, received_on, "
            "paused_days, first_action_at, first_action_days, answered_at, answer_days, "
            "answered_on_time, closed_at, updated_at, extensions_count, forwards_count, rating"
        )
        event_columns = (
            "appeal_id, action, from_status, to_status, actor_role, authority_id, "
            "is_public, comment, data, created_at"
        )
        sequences: dict[int, int] = {}
        started = time.perf_counter()
        events_written = 0
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
            appeals.append(
                (
                    i,
                    number,
                    year,
                    sequences[year],
                    kind,
                    status,
                    rng.choice(channels),
                    rng.choice(("kk", "ru", "ru", "en")),
                    rng.choice(categories),
                    region,
                    authority,
                    f"Appeal {i}",
                    "Bench appeal text. " * 5,
                    "person",
                    f"Applicant {i}",
                    f"a{i}@bench.kz",
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
            if i % 20_000 == 0 or i == count:
                # One COPY at a time on a connection: the appeals, then their events.
                with cur.copy(f"COPY appeals ({appeal_columns}) FROM STDIN") as copy:
                    for row in appeals:
                        copy.write_row(row)
                with cur.copy(f"COPY appeal_events ({event_columns}) FROM STDIN") as copy:
                    for event in events:
                        copy.write_row(event)
                events_written += len(events)
                appeals, events = [], []
                progress(i, count, started, "appeals")
        for year, last in sequences.items():
            cur.execute(
                "INSERT INTO registration_counters (year, last_value) VALUES (%s, %s)", (year, last)
            )
        cur.execute("SELECT setval(pg_get_serial_sequence('appeals', 'id'), %s)", (count,))
        conn.commit()
        cur.execute("ANALYZE appeals")
        cur.execute("ANALYZE appeal_events")
        conn.commit()
    sys.stderr.write(
        f"{count:,} appeals and {events_written:,} events in "
        f"{time.perf_counter() - started:.0f} s\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    prepare_schema(args.database_url)
    generate(args.database_url, args.count)


if __name__ == "__main__":
    main()
