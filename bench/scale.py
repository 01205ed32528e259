"""Every page of the national-scale table at two sizes, rendered in process; and a plan check.

    python -m bench.scale                                   # generate 10k and 1M, then time
    python -m bench.scale --small-url URL --large-url URL   # time databases already generated
    python -m bench.scale --large 5000000                   # the 5M size, on demand
    python -m bench.scale --plans-only --large-url URL      # only the EXPLAIN check

Each page is rendered through the whole application (test client, no network) as the
person who opens it, warmed up once, then timed `--runs` times; the median is printed at
both sizes with the ratio. The CSV export is read to its end and reported in rows per
second, with the time to its first byte. The public page cache is switched off, so the
figures are those of the queries and templates, not of the cache.

Then the main query of each page is EXPLAINed on the large database: the check fails (exit
status 1) when one is a sequential scan of `appeals` or `appeal_events`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta

import psycopg

PASSWORD = "bench-password-for-every-role"  # noqa: S105 (bench users of a bench database)


def _app(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("RECEPTION_TOTP_KEYS", "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZy0hISE=")
    os.environ["RECEPTION_ENV"] = "production"
    from reception import create_app

    app = create_app()
    app.config.update(
        RATELIMIT_ENABLED=False,
        WTF_CSRF_ENABLED=False,
        RECEPTION_CACHE_SECONDS=0,
        TWO_FACTOR_REQUIRED_ROLES=(),  # bench users have no authenticator
    )
    return app


def _people(app) -> dict:
    """An official and a head of the busiest body, an administrator, a citizen; a sample.

    The sample is the body's newest appeal published with consent (Open311 shows it); the
    citizen owns it and four other appeals of the body (their status page, their list).
    Returns {"sample": number, "body": the busiest body's code, "topic": its commonest
    topic's code}.
    """
    from sqlalchemy import func, select, update

    from reception.accounts.services import create_user, get_user_by_email
    from reception.appeals.models import Appeal
    from reception.core.types import utcnow
    from reception.directory.models import Authority, Category
    from reception.extensions import db

    with app.app_context():
        busiest = db.session.execute(
            select(Appeal.authority_id)
            .group_by(Appeal.authority_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()[0]
        authority = db.session.get(Authority, busiest)
        users = {}
        for role in ("official", "head", "admin", "citizen"):
            email = f"bench-{role}@bench.kz"
            users[role] = get_user_by_email(db.session, email) or create_user(
                db.session,
                email=email,
                password=PASSWORD,
                role=role,
                authority=authority if role in ("official", "head") else None,
                now=utcnow(),
            )
            if role in ("official", "head"):  # the busiest body of this generation
                users[role].authority = authority
        db.session.commit()
        sample = db.session.scalar(
            select(Appeal.number)
            .where(Appeal.authority_id == busiest, Appeal.publish_consent)
            .order_by(Appeal.id.desc())
            .limit(1)
        )
        owned = select(Appeal.id).where(Appeal.authority_id == busiest).order_by(Appeal.id.desc())
        ids = [
            *db.session.scalars(owned.limit(5)),
            db.session.scalar(select(Appeal.id).where(Appeal.number == sample)),
        ]
        db.session.execute(
            update(Appeal).where(Appeal.id.in_(ids)).values(citizen_id=users["citizen"].id)
        )
        db.session.commit()
        topic = db.session.scalar(
            select(Category.code)
            .join(Appeal, Appeal.category_id == Category.id)
            .where(Appeal.authority_id == busiest)
            .group_by(Category.code)
            .order_by(func.count().desc(), Category.code)
            .limit(1)
        )
        return {"sample": sample, "body": authority.code, "topic": topic}


def _client(app, role: str | None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    if role:
        response = client.post(
            "/login", data={"email": f"bench-{role}@bench.kz", "password": PASSWORD}
        )
        assert response.status_code == 302, response.status_code
    return client


def pages(known: dict) -> list[tuple[str, str | None, str]]:
    sample, body, topic = known["sample"], known["body"], known["topic"]
    two_years = (date.today() - timedelta(days=730)).isoformat()
    week_ago = (date.today() - timedelta(days=7)).isoformat() + "T00:00:00Z"
    now = date.today().isoformat() + "T23:59:59Z"
    return [
        ("official's queue, default view", "official", "/review/"),
        ("official's queue, all statuses", "official", "/review/?status=all"),
        ("official's queue, search a word", "official", "/review/?q=bench&status=all"),
        ("official's queue, search a name", "official", "/review/?q=Applicant+4242&status=all"),
        ("official's queue, search a number", "official", f"/review/?q={sample}&status=all"),
        ("official's queue, last page", "official", "/review/?status=all&page=99999"),
        ("administrator's queue, search a word", "admin", "/review/?q=bench&status=all"),
        ("staff appeal page", "official", f"/review/appeals/{sample}"),
        ("head's dashboard, last 90 days", "head", "/monitoring/"),
        ("head's dashboard, 90 days by topic", "head", "/monitoring/?group_by=category"),
        (
            "administrator's dashboard, two years by week",
            "admin",
            f"/monitoring/?date_from={two_years}&group_by=week",
        ),
        (
            "administrator's dashboard, two years by topic",
            "admin",
            f"/monitoring/?date_from={two_years}&group_by=category",
        ),
        (
            "administrator's dashboard, two years by week, one topic",
            "admin",
            f"/monitoring/?date_from={two_years}&group_by=week&category={topic}",
        ),
        ("honest figures export, 90 days", "admin", "/monitoring/figures.csv"),
        ("public /stats", None, "/stats"),
        ("public /stats, searching published answers", None, "/stats?q=considered"),
        ("public body page", None, f"/stats/bodies/{body}"),
        ("open data, JSON", None, "/stats/data.json"),
        ("open data, CSV", None, "/stats/data.csv"),
        (
            "Open311 list (public)",
            None,
            f"/open311/v2/requests.json?start_date={week_ago}&end_date={now}",
        ),
        ("Open311 one request (public)", None, f"/open311/v2/requests/{sample}.json"),
        ("citizen's status page", "citizen", f"/my/appeals/{sample}"),
        ("citizen's appeals", "citizen", "/my/appeals"),
        ("administrator: users", "admin", "/admin/users"),
        ("administrator: audit log", "admin", "/admin/audit"),
        ("administrator: security events", "admin", "/admin/security-events"),
    ]


def time_pages(database_url: str, runs: int) -> dict[str, float]:
    app = _app(database_url)
    known = _people(app)
    only = os.environ.get("BENCH_ONLY")  # a substring of the labels to time, to rerun some
    clients = {}
    results = {}
    for label, role, url in pages(known):
        if only and only not in label:
            continue
        client = clients.get(role) or clients.setdefault(role, _client(app, role))
        response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        results[label] = statistics.median(times)
        if label.startswith("open data"):
            # The open data is every month of every cell: its cost follows the rows it writes.
            body = response.get_data(as_text=True)
            rows = len(json.loads(body)["rows"]) if "JSON" in label else body.count("\n") - 1
            results[f"{label}, rows"] = float(rows)
            results[f"{label}, rows per second"] = rows / (results[label] / 1000)
    if not only or "CSV export" in only:
        results.update(time_export(app, clients.get("admin") or _client(app, "admin")))
    return results


def time_export(app, client) -> dict[str, float]:
    """The 90-day export read to its end: rows per second and milliseconds to the first byte."""
    started = time.perf_counter()
    response = client.get("/monitoring/export.csv", buffered=False)
    first = None
    rows = 0
    for chunk in response.response:
        if first is None:
            first = (time.perf_counter() - started) * 1000
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    elapsed = time.perf_counter() - started
    response.close()
    rows -= 1  # the header
    return {
        "CSV export, last 90 days (ms)": elapsed * 1000,
        "CSV export, rows": float(rows),
        "CSV export, rows per second": rows / elapsed,
        "CSV export, first byte (ms)": first or 0.0,
    }


# The main query of each page, as the application builds it (see check_plans).
def _plan_queries(app, sample: str):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from reception.appeals import search
    from reception.appeals.models import Appeal, AppealEvent

    with app.app_context():
        from reception.extensions import db

        busiest = db.session.scalar(select(Appeal.authority_id).where(Appeal.number == sample))
        sample_id = db.session.scalar(select(Appeal.id).where(Appeal.number == sample))
        citizen = db.session.scalar(select(Appeal.citizen_id).where(Appeal.number == sample))
        parsed = search.parse
        queries = {
            # As the queue reads them: soonest due first, a page (a common word is a filter on
            # the rows read in that order, search.COMMON_SHARE).
            "queue search, a word": search.apply(
                select(Appeal.id), db.session, parsed("bench applicant")
            )
            .order_by(Appeal.due_on, Appeal.id)
            .limit(26),
            "queue search, a number": search.apply(select(Appeal.id), db.session, parsed(sample)),
            "queue search, an IIN": search.apply(
                select(Appeal.id), db.session, parsed("900101300017")
            ),
            "queue search, part of a number": search.apply(
                select(Appeal.id), db.session, parsed(sample[3:12])
            ),
            "published answers, newest": select(Appeal.id)
            .where(Appeal.publish_consent, Appeal.published_answer.is_not(None))
            .order_by(Appeal.answered_at.desc(), Appeal.id.desc())
            .limit(10),
            "published answers, a word": search.apply(
                select(Appeal.id).where(
                    Appeal.publish_consent, Appeal.published_answer.is_not(None)
                ),
                db.session,
                parsed("considered"),
                scope=search.PUBLISHED,
            )
            .order_by(Appeal.answered_at.desc(), Appeal.id.desc())
            .limit(10),
            "queue, all statuses, one body, soonest due": select(Appeal)
            .where(Appeal.authority_id == busiest)
            .order_by(Appeal.due_on, Appeal.id)
            .limit(25)
            .offset(9975),
            "queue, all statuses, every body, soonest due": select(Appeal)
            .order_by(Appeal.due_on, Appeal.id)
            .limit(25)
            .offset(9975),
            "queue, a word, one body": search.apply(
                select(Appeal).where(Appeal.authority_id == busiest),
                db.session,
                parsed("bench"),
            )
            .order_by(Appeal.due_on, Appeal.id)
            .limit(25),
            "forward costs, a year (/stats, dashboards, body page)": select(
                Appeal.id, Appeal.registered_on, AppealEvent.data
            )
            .join(AppealEvent, AppealEvent.appeal_id == Appeal.id)
            .where(
                Appeal.registered_on >= date.today() - timedelta(days=365),
                Appeal.forwards_count > 0,
                Appeal.answered_at.is_not(None),
                AppealEvent.action == "forward",
            )
            .order_by(AppealEvent.appeal_id, AppealEvent.id),
            "body page, its newest published answers": select(Appeal.id)
            .where(
                Appeal.authority_id == busiest,
                Appeal.publish_consent,
                Appeal.status.in_(("answered", "closed")),
                Appeal.published_answer.is_not(None),
                Appeal.published_subject.is_not(None),
            )
            .order_by(Appeal.answered_at.desc(), Appeal.id.desc())
            .limit(10),
            "citizen's appeals": select(Appeal.id)
            .where(Appeal.citizen_id == citizen)
            .order_by(Appeal.received_at.desc()),
            "citizen's status page, its events": select(AppealEvent.id)
            .where(AppealEvent.appeal_id == sample_id)
            .order_by(AppealEvent.id),
            "Open311 list, a week": select(Appeal.id)
            .where(Appeal.received_at >= datetime.now(UTC) - timedelta(days=7))
            .order_by(Appeal.received_at.desc(), Appeal.id.desc())
            .limit(50),
        }
        return {
            label: str(q.compile(db.engine, compile_kwargs={"literal_binds": True}))
            for label, q in queries.items()
        }


def check_plans(database_url: str) -> bool:
    app = _app(database_url)
    sample = _people(app)["sample"]
    ok = True
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        for label, sql in _plan_queries(app, sample).items():
            plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {sql}"))
            scans = [
                line.strip()
                for line in plan.splitlines()
                if "Seq Scan on appeals" in line or "Seq Scan on appeal_events" in line
            ]
            print(f"{'FAIL' if scans else 'ok  '} {label}: {plan.splitlines()[0].strip()}")
            if scans:
                ok = False
                print("     " + "\n     ".join(plan.splitlines()))
    return ok


def _recreate(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://{server.split('://', 1)[1]}/{name}"


def _generate(server: str, label: str, count: int) -> str:
    import subprocess

    url = _recreate(server, f"reception_bench_{label}")
    print(f"generating {count:,} appeals ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--database-url", url, "--count", str(count)],
        check=True,
    )
    return url


def _in_subprocess(url: str, runs: int) -> dict[str, float]:
    """Time one size in a fresh interpreter (no cache or pool shared between the sizes)."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--time-one", url, "--runs", str(runs)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--small-url")
    parser.add_argument("--large-url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans-only", action="store_true")
    parser.add_argument("--time-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_one:
        print(json.dumps(time_pages(args.time_one, args.runs)))
        return
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1")
    large_url = args.large_url or _generate(server, "large", args.large)
    if not args.plans_only:
        small_url = args.small_url or _generate(server, "small", args.small)
        small = _in_subprocess(small_url, args.runs)
        large = _in_subprocess(large_url, args.runs)
        print(f"\n{'page':<48} {'small':>10} {'large':>10}   ratio")
        for label, small_value in small.items():
            large_value = large[label]
            ratio = large_value / small_value if small_value else float("nan")
            if not label.endswith(("rows", "rows per second")):
                print(f"{label:<48} {small_value:>10.1f} {large_value:>10.1f}  {ratio:5.1f}x")
            else:
                print(f"{label:<48} {small_value:>10,.0f} {large_value:>10,.0f}")
    print("\nplans of the main queries on the large database:")
    if not check_plans(large_url):
        sys.exit(1)


if __name__ == "__main__":
    main()
