"""Metrics under gunicorn with two workers: whichever worker answers the scrape, it counts
the requests both served (prometheus-client's multiprocess mode, set up by gunicorn.conf.py).

A real gunicorn against the test database, production settings, JSON logs on stderr.
It takes a few seconds, so it runs in the normal suite.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

PROJECT = Path(__file__).resolve().parents[2]
# Rounds of requests until both workers have served (the second may still be booting).
ROUNDS, PER_ROUND = 40, 24


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz_count(body: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if (
                sample.name == "reception_http_requests_total"
                and sample.labels["route"] == "/healthz"
            ):
                total += sample.value
    return total


@pytest.mark.commits
def test_two_workers_counts_are_summed_at_metrics(app, tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"stale")  # from an earlier run: removed
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RECEPTION_", "MAIL_", "TEST_", "PROMETHEUS_"))
        and key not in ("DATABASE_URL", "SECRET_KEY", "UPLOAD_FOLDER", "FLASK_APP")
    } | {
        "RECEPTION_ENV": "production",
        "SECRET_KEY": "gunicorn-metrics-test-only",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RECEPTION_METRICS_ALLOW": "127.0.0.1",
        # Metrics are the point here, not rate limits: two workers may count them apart.
        "RECEPTION_ALLOW_PER_PROCESS_LIMITS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=PROJECT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

        def served() -> list[int]:
            """The pid of every /healthz request, from the workers' JSON log lines."""
            return [
                line["pid"]
                for line in map(json.loads, filter(str.strip, log.read_text().splitlines()))
                if line.get("route") == "/healthz"
            ]

        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(ROUNDS):
                answers = list(
                    pool.map(
                        lambda _: requests.get(f"{base}/healthz", timeout=10), range(PER_ROUND)
                    )
                )
                assert all(a.status_code == 200 for a in answers)
                if len(set(served())) >= 2:
                    break
                time.sleep(0.25)
        # A worker writes its log line as the answer leaves: on a busy machine the last lines
        # may come a moment after the answers did.
        settle, seen = time.monotonic() + 15, -1
        while len(served()) != seen and time.monotonic() < settle:
            seen = len(served())
            time.sleep(0.5)
        by_worker = served()
        assert len(set(by_worker)) == 2, "the requests were not spread over both workers"
        for _ in range(4):
            scrape = requests.get(f"{base}/metrics", timeout=10)
            assert scrape.status_code == 200
            # Every scrape, by whichever worker, counts the requests of both workers.
            assert healthz_count(scrape.text) == len(by_worker)
        assert not (metrics_dir / "counter_99999.db").exists()
        # The request log lines are JSON with a request id each.
        first = next(
            json.loads(line)
            for line in log.read_text().splitlines()
            if line.strip() and json.loads(line).get("route") == "/metrics"
        )
        assert first["status"] == 200 and len(first["request_id"]) == 32
        # One line per request, the application's: no access line of gunicorn's with the
        # raw address (its numbers, an API key in a query string).
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        assert not [line for line in lines if line.get("logger") == "gunicorn.access"]
        assert not [line for line in lines if "GET /" in line.get("message", "")]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
