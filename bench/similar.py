"""How well similar appeals are found, and how fast, at 1,000,000 appeals.

    python -m bench.similar                                   # the corpus, Python scorer
    python -m bench.similar --database-url postgresql://postgres@127.0.0.1/bench_large \\
        --small-database-url postgresql://postgres@127.0.0.1/bench_small

1. Recall and precision of the top 3 on the labelled corpus (tests/similarity/corpus.py),
   at the chosen threshold and around it: with the Python scorer, and with PostgreSQL's
   pg_trgm when a database is given (the same normalised texts, scored by `similarity()`).
2. The routing hint on the corpus's history split by time: the first 60 days are the
   history, the last 30 the new appeals; how often the hint names the body that answered.
3. With databases made by bench.generate: their appeals get realistic normalised texts (the
   corpus's, cycled, with varying house numbers), then the staff appeal page of an open
   appeal of the busiest body is rendered in process (median of --runs), with the similar
   lookup and the routing hint timed alone, at both sizes, with the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reception.domain.similarity import normalise, trigram_similarity, trigrams  # noqa: E402
from tests.similarity.corpus import CORPUS, Item  # noqa: E402

THRESHOLD = 0.25
TOP = 3
HINT_MIN = 2
HINT_NEIGHBOURS = 20
HISTORY_DAYS = 60

Scores = dict[int, list[tuple[float, int]]]


def python_scores(items: list[Item]) -> Scores:
    """For each item, every other item's score, best first (the Python scorer)."""
    grams = {i.id: trigrams(normalise(i.text)) for i in items}
    return {
        a.id: sorted(
            ((trigram_similarity(grams[a.id], grams[b.id]), b.id) for b in items if b.id != a.id),
            key=lambda pair: (-pair[0], -pair[1]),
        )
        for a in items
    }


def postgres_scores(items: list[Item], database_url: str) -> Scores:
    """The same with pg_trgm's similarity() on the stored normalised texts."""
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("CREATE TEMP TABLE corpus (id int PRIMARY KEY, t text)")
        with conn.cursor().copy("COPY corpus (id, t) FROM STDIN") as copy:
            for item in items:
                copy.write_row((item.id, normalise(item.text)))
        rows = conn.execute(
            "SELECT a.id, b.id, similarity(a.t, b.t) FROM corpus a JOIN corpus b ON a.id <> b.id"
        ).fetchall()
    scores: Scores = {i.id: [] for i in items}
    for a, b, score in rows:
        scores[a].append((float(score), b))
    for values in scores.values():
        values.sort(key=lambda pair: (-pair[0], -pair[1]))
    return scores


def evaluate(
    items: list[Item], scores: Scores, threshold: float, *, written_only: bool = False
) -> dict[str, float]:
    """Precision and recall of the top 3 at a threshold.

    Precision: of the appeals shown (at most 3, score >= threshold), the share about the
    same thing. Recall: of the duplicates there were to show (at most 3 per appeal), the share
    shown. `written_only` counts only the hand-written appeals, as queries and as answers.
    """
    by_id = {i.id: i for i in items}
    shown = hits = wanted = 0
    for item in items:
        if written_only and not item.written:
            continue
        ranked = [(s, b) for s, b in scores[item.id] if not written_only or by_id[b].written]
        top = [b for s, b in ranked[:TOP] if s >= threshold]
        duplicates = [
            b
            for b in by_id.values()
            if item.group is not None
            and b.group == item.group
            and b.id != item.id
            and (not written_only or b.written)
        ]
        shown += len(top)
        hits += sum(1 for b in top if item.group is not None and by_id[b].group == item.group)
        wanted += min(TOP, len(duplicates))
    return {
        "precision": hits / shown if shown else 1.0,
        "recall": hits / wanted if wanted else 1.0,
        "shown": shown,
        "wanted": wanted,
    }


def routing_hint_figures(items: list[Item], scores: Scores, threshold: float) -> dict:
    """The hint on history split by time: appeals of days < 60 are the history (those with
    `forwarded_to` were forwarded there), the later ones are asked for a hint."""
    by_id = {i.id: i for i in items}
    history = {i.id for i in items if i.day < HISTORY_DAYS}
    new = [i for i in items if i.day >= HISTORY_DAYS]
    shown = right = forwarded = named = wrong_on_own = 0
    for item in new:
        neighbours = [
            b
            for s, b in scores[item.id]
            if s >= threshold and b in history and by_id[b].forwarded_to
        ][:HINT_NEIGHBOURS]
        hint = None
        if neighbours:
            body, count = Counter(by_id[b].forwarded_to for b in neighbours).most_common(1)[0]
            if count >= HINT_MIN:
                hint = body
        if item.forwarded_to:
            forwarded += 1
            named += hint == item.forwarded_to
        if hint:
            shown += 1
            right += hint == item.forwarded_to
            wrong_on_own += not item.forwarded_to
    return {
        "new appeals": len(new),
        "forwarded in truth": forwarded,
        "hints shown": shown,
        "hint names the body that answered": right,
        "hint on an appeal the body answered itself": wrong_on_own,
        "forwarded appeals whose hint named the body": named,
    }


def corpus_report(scores: Scores, label: str) -> None:
    kk = sum(1 for i in CORPUS if i.language == "kk")
    groups = len({i.group for i in CORPUS if i.group})
    print(
        f"\n{label}: {len(CORPUS)} appeals ({kk} kk, {len(CORPUS) - kk} ru or mixed), "
        f"{groups} groups of duplicates, top {TOP}"
    )
    print(f"{'threshold':>10} {'precision':>10} {'recall':>8}   hand-written only: P / R")
    for t in (0.15, 0.2, THRESHOLD, 0.3, 0.35, 0.4):
        every = evaluate(CORPUS, scores, t)
        written = evaluate(CORPUS, scores, t, written_only=True)
        mark = "  <- chosen" if t == THRESHOLD else ""
        print(
            f"{t:>10.2f} {every['precision']:>10.1%} {every['recall']:>8.1%}"
            f"   {written['precision']:.1%} / {written['recall']:.1%}{mark}"
        )


# --- lookup time on a generated database -------------------------------------------------


INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_appeals_similar_window ON appeals "
    "(authority_id, registered_on) INCLUDE (id, status, similarity_text)",
    "CREATE INDEX IF NOT EXISTS ix_appeals_forwarded_from ON appeals "
    "(forwarded_from_id, registered_on) INCLUDE (id, authority_id, similarity_text)",
)


def fill_texts(database_url: str) -> None:
    """Give the generated appeals (whose text is a placeholder) the corpus's texts, and the
    forwarded ones the body they came from (the region's akimat, as bench.generate routes)."""
    import psycopg

    texts = [normalise(i.text) for i in CORPUS]
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        empty = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM appeals WHERE similarity_text = '' LIMIT 1) e"
        ).fetchone()[0]
        if not empty:
            return
        started = time.perf_counter()
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("DROP INDEX IF EXISTS ix_appeals_similar_window")
        conn.execute("DROP INDEX IF EXISTS ix_appeals_forwarded_from")
        conn.execute(
            "UPDATE appeals a SET similarity_text = c.t || ' ' || (a.id %% 200)::text "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS c(t, n) "
            "WHERE c.n = (a.id::bigint * 7919) %% %s + 1",
            (texts, len(texts)),
        )
        conn.execute(
            "UPDATE appeals a SET forwarded_from_id = r.id FROM authorities r "
            "WHERE a.forwards_count > 0 AND r.region_id = a.region_id "
            "AND r.level IN ('region', 'city')"
        )
        for statement in INDEXES:
            conn.execute(statement)
        conn.execute("VACUUM ANALYZE appeals")
        print(f"  texts filled and indexed in {time.perf_counter() - started:.0f} s", flush=True)


def _median_ms(run: Callable[[], object], runs: int) -> float:
    run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def time_lookup(database_url: str, runs: int) -> dict[str, float]:
    """Median times of the staff page, the similar lookup and the hint, in ms."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["RECEPTION_ENV"] = "production"
    os.environ["RECEPTION_2FA_ROLES"] = ""
    from sqlalchemy import func, select

    from reception import create_app
    from reception.accounts.services import create_user, get_user_by_email
    from reception.appeals.models import Appeal
    from reception.core.types import utcnow
    from reception.directory.models import Authority
    from reception.extensions import db
    from reception.similarity import queries

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-only",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    email, password = "bench-similar@bench.kz", "bench-similar-password"
    with app.app_context():
        busiest = db.session.execute(
            select(Appeal.authority_id, func.count())
            .group_by(Appeal.authority_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()[0]
        appeals = db.session.scalars(
            select(Appeal)
            .where(Appeal.authority_id == busiest, Appeal.status == "in_progress")
            .order_by(Appeal.id.desc())
            .limit(5)
        ).all()
        numbers = [a.number for a in appeals]
        user = get_user_by_email(db.session, email)
        if user is None:
            user = create_user(
                db.session,
                email=email,
                password=password,
                role="official",
                authority=db.session.get(Authority, busiest),
                now=utcnow(),
            )
        user.authority_id = busiest
        db.session.commit()
        settings = queries.SimilarSettings.from_config(app.config)
        today = utcnow().date()
        lookup = statistics.median(
            _median_ms(
                lambda a=a: queries.find_similar(
                    db.session, a, user, today=today, settings=settings
                ),
                runs,
            )
            for a in appeals
        )
        hint = statistics.median(
            _median_ms(
                lambda a=a: queries.routing_hint(db.session, a, today=today, settings=settings),
                runs,
            )
            for a in appeals
        )
        found = [
            len(queries.find_similar(db.session, a, user, today=today, settings=settings))
            for a in appeals
        ]
    client = app.test_client()
    client.post("/login", data={"email": email, "password": password})

    def page(number):
        response = client.get(f"/review/appeals/{number}")
        assert response.status_code == 200, response.status_code

    page_ms = statistics.median(_median_ms(lambda n=n: page(n), runs) for n in numbers)
    return {
        "staff appeal page": page_ms,
        "similar lookup alone": lookup,
        "routing hint alone": hint,
        "similar found (mean)": sum(found) / len(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database made by bench.generate")
    parser.add_argument("--small-database-url", help="the same at a small size, for the ratio")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    scores = python_scores(CORPUS)
    corpus_report(scores, "Python scorer")
    hint = routing_hint_figures(CORPUS, scores, THRESHOLD)
    print("\nrouting hint, history split by time (days 0-59 history, 60-89 new):")
    for name, value in hint.items():
        print(f"  {name}: {value}")
    if args.database_url:
        corpus_report(postgres_scores(CORPUS, args.database_url), "PostgreSQL pg_trgm")
        timings = {}
        for label, url in (("small", args.small_database_url), ("large", args.database_url)):
            if not url:
                continue
            print(f"\npreparing {label} ...", flush=True)
            fill_texts(url)
            timings[label] = time_lookup(url, args.runs)
        print(f"\n{'':<24} {'small':>10} {'large':>10}   ratio")
        for name, large in timings["large"].items():
            small = timings.get("small", {}).get(name)
            ratio = f"{large / small:5.1f}x" if small else ""
            print(f"{name:<24} {small or 0:>10.1f} {large:>10.1f}   {ratio}")


if __name__ == "__main__":
    main()
