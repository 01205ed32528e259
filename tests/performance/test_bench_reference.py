"""The HTTP benchmark's own code (bench/), kept working without timing anything.

`make bench` is run by hand; these tests make sure that when it is, its reference app still
answers what Reception answers, its wrk reports are still read right, its data generator
still fits the schema and its servers still stop.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from bench import generate
from bench.http import Pair, Row, format_table
from bench.reference_app import create_app as create_reference_app
from bench.servers import Gunicorn, children, free_port
from bench.wrk import POST_FORM, WrkError, parse_wrk, wrk_command
from reception.extensions import db
from tests.factories import make_appeal

NOW = datetime.now(UTC)

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:41234/open311/v2/requests/RC-2026-00000042.json
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.53ms  812.40us  14.92ms   78.11%
    Req/Sec     2.28k   150.22     2.60k    71.00%
  45512 requests in 10.01s, 45.85MB read
Requests/sec:   4546.85
Transfer/sec:      4.58MB
"""

WRK_OUTPUT_WITH_ERRORS = """\
Running 10s test @ http://127.0.0.1:41235/open311/v2/requests.json
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   150.10ms   20.00ms    1.02s    90.00%
    Req/Sec    53.00     10.00    80.00     70.00%
  1060 requests in 10.00s, 400.00KB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 60
Requests/sec:    106.00
Transfer/sec:     40.00KB
"""


def sqlite_file() -> str:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the reference app reads Reception's SQLite file with sqlite3")
    return db.engine.url.database


@pytest.mark.commits
def test_reference_answers_with_the_same_json_as_reception(client, tmp_path):
    appeal, _ = make_appeal(NOW - timedelta(days=3), publish_consent="y")
    url = f"/open311/v2/requests/{appeal.number}.json"
    ours = client.get(url)
    reference = create_reference_app(sqlite_file(), str(tmp_path / "reference.db")).test_client()
    theirs = reference.get(url)

    assert ours.status_code == theirs.status_code == 200
    [mine], [other] = ours.get_json(), theirs.get_json()
    assert set(other) == set(mine)
    # Everything but the two translated sentences is the very same value.
    for key in set(mine) - {"status_notes", "service_notice"}:
        assert other[key] == mine[key], key
    assert reference.get("/open311/v2/requests/RC-2026-99999999.json").status_code == 404


@pytest.mark.commits
def test_reference_reads_only_published_appeals(tmp_path):
    appeal, _ = make_appeal(NOW - timedelta(days=3))  # no consent to publish
    reference = create_reference_app(sqlite_file(), str(tmp_path / "reference.db")).test_client()
    assert reference.get(f"/open311/v2/requests/{appeal.number}.json").status_code == 404


def test_reference_insert_writes_one_row(tmp_path):
    target = tmp_path / "reference.db"
    reference = create_reference_app(str(tmp_path / "unused.db"), str(target)).test_client()
    form = {"service_code": "roads-transport", "description": "Pothole 1-1", "email": "a@b.kz"}
    first = reference.post("/insert", data=form)
    second = reference.post("/insert", data=form)
    assert first.status_code == second.status_code == 200
    assert first.get_json()[0].keys() == {"service_request_id", "service_notice", "account_id"}
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*), min(description) FROM filings").fetchone() == (
            2,
            "Pothole 1-1",
        )


def test_wrk_report_is_read():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests == 45512
    assert result.seconds == pytest.approx(10.01)
    assert result.requests_per_second == pytest.approx(4546.85)
    assert result.latency_ms == pytest.approx(3.53)
    assert result.non_2xx == result.socket_errors == 0
    assert result.ok_per_second == pytest.approx(45512 / 10.01)


def test_wrk_errors_are_not_counted_as_answers():
    result = parse_wrk(WRK_OUTPUT_WITH_ERRORS)
    assert result.latency_ms == pytest.approx(150.10)
    assert result.non_2xx == 60
    assert result.socket_errors == 5
    assert result.requests_per_second == pytest.approx(106.0)
    assert result.ok_per_second == pytest.approx(100.0)


def test_something_else_than_a_wrk_report_is_refused():
    with pytest.raises(WrkError):
        parse_wrk("wrk: command not found")


def test_wrk_command_and_its_lua_script():
    command = wrk_command(
        "http://127.0.0.1:1/x",
        seconds=10,
        threads=2,
        connections=16,
        headers={"Cookie": "session=abc"},
        script=POST_FORM,
    )
    assert command[1:] == [
        "--threads=2",
        "--connections=16",
        "--duration=10s",
        "--timeout=10s",
        "--header=Cookie: session=abc",
        f"--script={POST_FORM}",
        "http://127.0.0.1:1/x",
    ]
    lua = POST_FORM.read_text()
    assert 'os.getenv("BENCH_FORM")' in lua
    assert "function request()" in lua and "{n}" in lua


def fake(rps: float, non_2xx: int = 0):
    return parse_wrk(
        WRK_OUTPUT.replace("45512 requests", f"{int(rps * 10)} requests")
        .replace("in 10.01s", "in 10.00s")
        .replace("Requests/sec:   4546.85", f"Requests/sec:   {rps}")
        + (f"  Non-2xx or 3xx responses: {non_2xx}\n" if non_2xx else "")
    )


def test_table_gives_median_ratios_goals_and_memory():
    reads = Row("Open311 GET", 0.5, [Pair(fake(1000), fake(600)), Pair(fake(1000), fake(400))])
    reads.pairs.append(Pair(fake(1000), fake(550)))
    page = Row("status page", 0.5, [Pair(fake(1000), fake(200, non_2xx=10))])
    filing = Row("filing", None, [Pair(fake(500), fake(100))])
    assert reads.ratio == pytest.approx(0.55)
    table = format_table([reads, page, filing], {101: 97.5, 102: 151.0})
    lines = table.splitlines()
    assert "0.55" in lines[1] and "met" in lines[1] and "0.60, 0.40, 0.55" in lines[1]
    assert "199/s" in lines[2] and "0.20" in lines[2] and "missed" in lines[2]
    assert "reported" in lines[3]
    assert "10 error answers from Reception" in table
    assert "97.5 MB" in table and "151.0 MB" in table
    assert lines[-2].endswith("met") and lines[-1].endswith("missed")


def test_generated_rows_fit_the_columns():
    reference = generate.Reference(
        categories=[1, 2], regions=[1, 2], akimat_of={1: 10, 2: 20}, districts=[30]
    )
    sequences: dict[int, int] = {}
    batches = list(generate.appeal_batches(reference, 300, sequences, seed=1))
    appeals = [row for batch, _ in batches for row in batch]
    events = [row for _, batch in batches for row in batch]
    assert len(appeals) == 300 and len(events) >= 300
    assert {len(row) for row in appeals} == {len(generate.APPEAL_COLUMNS.split(","))}
    assert {len(row) for row in events} == {len(generate.EVENT_COLUMNS.split(","))}
    assert sum(sequences.values()) == 300


def test_generated_notice_flags_follow_the_histories():
    """Appeals without e-mail are generated, and their notice flag is what the events say
    (a staff's public step after the last recorded notice)."""
    reference = generate.Reference(
        categories=[1, 2], regions=[1, 2], akimat_of={1: 10, 2: 20}, districts=[30]
    )
    batches = list(generate.appeal_batches(reference, 3000, {}, seed=1))
    columns = [c.strip() for c in generate.APPEAL_COLUMNS.split(",")]
    event_columns = [c.strip() for c in generate.EVENT_COLUMNS.split(",")]
    appeals = [dict(zip(columns, row, strict=True)) for batch, _ in batches for row in batch]
    histories: dict[int, list[dict]] = {}
    for _, batch in batches:
        for row in batch:
            event = dict(zip(event_columns, row, strict=True))
            histories.setdefault(event["appeal_id"], []).append(event)
    without = [a for a in appeals if not a["email"]]
    assert 50 < len(without) < 600 and any(a["notice_due"] for a in without)
    for appeal in appeals:
        events = histories[appeal["id"]]
        told = max((e["created_at"] for e in events if e["action"] == "notified"), default=None)
        untold = [
            e
            for e in events
            if e["is_public"]
            and e["action"] not in ("register", "close")
            and e["actor_role"] != "citizen"
            and (told is None or e["created_at"] > told)
        ]
        assert appeal["notice_due"] == (not appeal["email"] and bool(untold)), appeal["number"]


def test_sqlite_values_are_stored_as_sqlalchemy_stores_them():
    moment = datetime(2026, 11, 23, 4, 5, 6, tzinfo=UTC)
    assert generate.sqlite_value(moment) == "2026-11-23 04:05:06.000000"
    assert generate.sqlite_value(date(2026, 11, 23)) == "2026-11-23"
    assert generate.sqlite_value(True) == 1
    assert generate.sqlite_value("text") == "text"
    assert generate.sqlite_path("sqlite:////tmp/x/reception.db") == "/tmp/x/reception.db"
    with pytest.raises(ValueError):
        generate.sqlite_path("postgresql://localhost/x")


def test_server_starts_and_stops_with_its_workers(tmp_path):
    assert 1024 <= free_port() <= 65535
    app = f"bench.reference_app:create_app({str(tmp_path / 'r.db')!r}, {str(tmp_path / 'w.db')!r})"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    server = Gunicorn(app, name="reference", workers=1, env=env, log_dir=tmp_path)
    with server:
        master = server.process.pid
        workers = server.worker_pids()
        assert len(workers) == 1
        assert all(mb > 0 for mb in server.worker_rss_mb().values())
    assert server.process is None
    for pid in (master, *workers):
        assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid)
    assert children(master) == []


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True
