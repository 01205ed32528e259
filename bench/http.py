"""Reception over HTTP against a minimal Flask app doing the same work, in the same run.

    python -m bench.http [--appeals 5000] [--seconds 10] [--warmup 2] [--rounds 3]

Builds a SQLite database in a temporary folder as production would (`flask db upgrade`,
`flask seed reference`), generates appeals with their histories (bench.generate), creates
an API key, and gives one answered, published appeal a known access code. Then it serves
Reception and bench.reference_app with gunicorn, the same way (workers, worker class,
127.0.0.1 on free ports), loads each with wrk and prints, for each scenario, Reception's
requests per second, the reference's, their ratio and the goal:

- status page: a citizen's browser that tracked the appeal (number and access code at
  /track) opens its status page, /my/appeals/<number>, with the session cookie it got;
- Open311 GET: /open311/v2/requests/<number>.json, without a key;
- filing: Open311 POST /open311/v2/requests.json with an API key, against one INSERT.

Both reads are compared with the reference's keyed read. Each Reception run comes right
after a run of its reference, and the whole set is repeated (--rounds): the table gives the
median of the rounds' ratios, so that a burst of other work on the machine moves it less.
Only 2xx and 3xx answers count.
Then the resident memory (VmRSS) of each Reception worker after the load. Rate limits are
off for the run (RATELIMIT_ENABLED=False, passed to create_app); everything else is the
production configuration. Servers are stopped on exit, on Ctrl+C and on errors.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import html
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from bench.generate import generate
from bench.servers import ROOT, Gunicorn
from bench.wrk import POST_FORM, WrkResult, run_wrk

READ_GOAL = 0.5  # the Open311 GET of one request
STATUS_GOAL = 0.3  # the citizen's status page (an HTML page with a session)
MEMORY_GOAL_MB = 150
# gunicorn's factory syntax: wsgi:app is create_app() with the environment's settings; this
# is the same call with the rate limits switched off (they would refuse a load test).
RECEPTION_APP = "reception:create_app({'RATELIMIT_ENABLED': False})"
# What a browser sends; HTML pages pick their language from it.
BROWSER_HEADERS = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}
FILING_FORM = {
    "service_code": "roads-transport",
    "attribute[region]": "KZ-71",
    "address_string": "Astana, Kenesary 40",
    "first_name": "Askar",
    "last_name": "Mukanov",
    "email": "askar@example.kz",
    "description": "Pothole at the bus stop {n}\nIt has been there since the spring.",
}


@dataclass(frozen=True)
class BenchData:
    number: str  # an answered appeal, published with consent
    access_code: str
    api_key: str


@dataclass(frozen=True)
class Pair:
    """One round of a scenario: the reference's run, then Reception's right after it."""

    reference: WrkResult
    reception: WrkResult

    @property
    def ratio(self) -> float:
        ref = self.reference.ok_per_second
        return self.reception.ok_per_second / ref if ref else 0.0


@dataclass
class Row:
    scenario: str
    goal: float | None
    pairs: list[Pair] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios."""
        return statistics.median(p.ratio for p in self.pairs)

    @property
    def reception_rps(self) -> float:
        return statistics.median(p.reception.ok_per_second for p in self.pairs)

    @property
    def reference_rps(self) -> float:
        return statistics.median(p.reference.ok_per_second for p in self.pairs)

    @property
    def errors(self) -> tuple[int, int]:
        """Error answers (4xx, 5xx) of Reception and of the reference, all rounds."""
        return (
            sum(p.reception.non_2xx for p in self.pairs),
            sum(p.reference.non_2xx for p in self.pairs),
        )

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return "reported"
        return "met" if self.ratio >= self.goal else "missed"


def reception_env(work: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RECEPTION_", "DATABASE_", "MAIL_", "RATELIMIT_", "FLASK_"))
    }
    env.update(
        RECEPTION_ENV="production",
        SECRET_KEY="bench-only-" + os.urandom(8).hex(),
        RECEPTION_TOTP_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        DATABASE_URL=f"sqlite:///{work / 'reception.db'}",
        UPLOAD_FOLDER=str(work / "uploads"),
        MAIL_TRANSPORT="console",
        PYTHONDONTWRITEBYTECODE="1",
        # The limits are off for the run (create_app's argument), but gunicorn.conf.py reads
        # the settings class: several workers on memory:// would stop it before any start.
        RECEPTION_ALLOW_PER_PROCESS_LIMITS="1",
    )
    return env


def flask(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def prepare(env: dict[str, str], work: Path, count: int) -> BenchData:
    """The database as production builds it, with `count` appeals and their histories."""
    print(f"building the database in {work} ...", flush=True)
    flask(env, "db", "upgrade")
    flask(env, "seed", "reference")
    generate(env["DATABASE_URL"], count)
    api_key = flask(env, "apikeys", "create", "--name", "bench").strip().splitlines()[-1]

    from reception.appeals.access import hash_access_code
    from reception.domain.identifiers import generate_access_code

    code = generate_access_code()
    conn = sqlite3.connect(work / "reception.db")
    try:
        row = conn.execute(
            "SELECT id, number FROM appeals WHERE status = 'answered' AND publish_consent "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise RuntimeError("no answered, published appeal was generated; use more appeals")
        conn.execute(
            "UPDATE appeals SET access_code_hash = ? WHERE id = ?", (hash_access_code(code), row[0])
        )
        conn.commit()
    finally:
        conn.close()
    return BenchData(number=row[1], access_code=code, api_key=api_key)


def track(base_url: str, number: str, code: str) -> str:
    """Track the appeal as a citizen does; return the browser's session cookie."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = list(BROWSER_HEADERS.items())
    with opener.open(f"{base_url}/track") as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on /track")
    form = {"csrf_token": html.unescape(token.group(1)), "number": number, "code": code}
    with opener.open(f"{base_url}/track", urllib.parse.urlencode(form).encode()) as response:
        if number not in response.read().decode():
            raise RuntimeError("tracking did not open the appeal")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    request = urllib.request.Request(  # noqa: S310 (our own loopback server)
        f"{base_url}/my/appeals/{number}", headers={**BROWSER_HEADERS, "Cookie": cookie}
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        if response.status != 200 or number not in response.read().decode():
            raise RuntimeError("the status page did not open with the tracked session")
    return cookie


def check_ok(url: str, data: bytes | None = None) -> None:
    with urllib.request.urlopen(url, data) as response:  # noqa: S310 (our own loopback server)
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")


def measure(url: str, args, **options) -> WrkResult:
    """A short warm-up, then the measured run."""
    common = {"threads": args.threads, "connections": args.connections}
    if args.warmup:
        run_wrk(url, seconds=args.warmup, **common, **options)
    result = run_wrk(url, seconds=args.seconds, **common, **options)
    bad = result.non_2xx + result.socket_errors
    note = f", {result.non_2xx} non-2xx, {result.socket_errors} socket errors" if bad else ""
    print(f"  {url}: {result.ok_per_second:,.0f} req/s{note}", flush=True)
    return result


def format_table(rows: list[Row], memory: dict[int, float]) -> str:
    rounds = max(len(row.pairs) for row in rows)
    median = " (medians)" if rounds > 1 else ""
    lines = [
        f"{'scenario':<34} {'Reception':>11} {'reference':>11} {'ratio':>7} {'goal':>7}  result"
        + median,
    ]
    for row in rows:
        goal = f">= {row.goal:.1f}" if row.goal is not None else "-"
        each = ", ".join(f"{p.ratio:.2f}" for p in row.pairs)
        lines.append(
            f"{row.scenario:<34} {row.reception_rps:>9,.0f}/s {row.reference_rps:>9,.0f}/s "
            f"{row.ratio:>7.2f} {goal:>7}  {row.verdict}"
            + (f" (rounds: {each})" if rounds > 1 else "")
        )
    for row in rows:
        reception, reference = row.errors
        if reception or reference:
            lines.append(
                f"  ! {row.scenario}: {reception} error answers from Reception, "
                f"{reference} from the reference (not counted)"
            )
    lines.append("")
    lines.append(f"{'Reception worker':<34} {'VmRSS':>11} {'goal':>19}  result")
    for pid, mb in sorted(memory.items()):
        verdict = "met" if mb < MEMORY_GOAL_MB else "missed"
        lines.append(
            f"{'pid ' + str(pid):<34} {mb:>8.1f} MB {'< ' + str(MEMORY_GOAL_MB) + ' MB':>19}  "
            f"{verdict}"
        )
    return "\n".join(lines)


def _stop_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def run(args) -> tuple[list[Row], dict[int, float]]:
    with (
        tempfile.TemporaryDirectory(prefix="reception-bench-") as folder,
        contextlib.ExitStack() as servers,
    ):
        work = Path(folder)
        env = reception_env(work)
        data = prepare(env, work, args.appeals)
        options = {"workers": args.workers, "env": env, "log_dir": work}
        print(
            f"serving with gunicorn: {args.workers} sync workers each; wrk {args.threads} "
            f"threads, {args.connections} connections, {args.seconds:g} s after a "
            f"{args.warmup:g} s warm-up",
            flush=True,
        )
        reception = servers.enter_context(Gunicorn(RECEPTION_APP, name="reception", **options))
        reference_app = (
            f"bench.reference_app:create_app({str(work / 'reception.db')!r}, "
            f"{str(work / 'reference.db')!r})"
        )
        reference = servers.enter_context(Gunicorn(reference_app, name="reference", **options))

        cookie = track(reception.url, data.number, data.access_code)
        open311 = f"/open311/v2/requests/{data.number}.json"
        check_ok(reception.url + open311)
        check_ok(reference.url + open311)
        form = urllib.parse.urlencode({"api_key": data.api_key, **FILING_FORM}, safe="{}")
        check_ok(reception.url + "/open311/v2/requests.json", form.replace("{n}", "0").encode())
        check_ok(reference.url + "/insert", form.replace("{n}", "0").encode())

        # Each Reception run comes right after its reference run: the ratio of two
        # neighbours suffers least from whatever else the machine is doing.
        read = {"headers": BROWSER_HEADERS}
        post = {"script": POST_FORM, "env": {"BENCH_FORM": form}}
        status_page = f"{reception.url}/my/appeals/{data.number}"
        scenarios = [
            (
                Row("status page (tracked, HTML)", STATUS_GOAL),
                lambda: measure(reference.url + open311, args, **read),
                lambda: measure(status_page, args, headers={**BROWSER_HEADERS, "Cookie": cookie}),
            ),
            (
                Row("Open311 GET of one request", READ_GOAL),
                lambda: measure(reference.url + open311, args, **read),
                lambda: measure(reception.url + open311, args, **read),
            ),
            (
                Row("filing (Open311 POST vs INSERT)", None),
                lambda: measure(reference.url + "/insert", args, **post),
                lambda: measure(reception.url + "/open311/v2/requests.json", args, **post),
            ),
        ]
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds}", flush=True)
            for row, reference_run, reception_run in scenarios:
                row.pairs.append(Pair(reference=reference_run(), reception=reception_run()))
        rows = [row for row, _, _ in scenarios]
        memory = reception.worker_rss_mb()
    return rows, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=3, help="the ratios are their medians")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it)")
    # Ctrl+C raises KeyboardInterrupt even when started from a shell that ignores SIGINT;
    # TERM and HUP end the run the same way, and the servers are stopped on the way out.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    started = datetime.now(UTC)
    rows, memory = run(args)
    print(
        f"\nReception vs reference, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"{args.appeals:,} appeals on SQLite; gunicorn {args.workers} sync workers each; "
        f"wrk {args.threads} threads, {args.connections} connections, {args.seconds:g} s "
        f"runs, {args.rounds} round(s)\n"
    )
    print(format_table(rows, memory))


if __name__ == "__main__":
    main()
