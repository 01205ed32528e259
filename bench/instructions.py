"""Instructions per request of the two public reads, counted by valgrind's callgrind.

    python -m bench.instructions [--requests 200] [--appeals 2000]

A request's time on a shared machine moves by a tenth from one run to the next; the number
of instructions it executes does not (the same count to a thousandth, run after run). This
counts them for Reception's two reads that `make bench` compares over HTTP, and for the
reference's keyed read, in one process each, calling the WSGI application directly (no
HTTP server, whose share is the same for both):

- Open311 GET of one request, /open311/v2/requests/<number>.json, without a key;
- the status page, /my/appeals/<number>, for a browser that tracked the appeal;
- the reference's GET (bench/reference_app.py).

The database is built as bench.http builds it (SQLite, production settings, rate limits
off). Each process warms up with 30 requests, then callgrind counts only the measured ones
(`--instr-atstart=no`, switched on and off with callgrind_control). Needs valgrind.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.http import BROWSER_HEADERS, prepare, reception_env
from bench.servers import ROOT

SCENARIOS = ("open311", "status", "reference")


def _environ(path: str, cookie: str) -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT_LANGUAGE": BROWSER_HEADERS["Accept-Language"],
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def _tracked_cookie(app, number: str, code: str) -> str:
    with app.test_client() as client:
        page = client.get("/track").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = {"csrf_token": token.group(1) if token else "", "number": number, "code": code}
        client.post("/track", data=form)
        return "session=" + client.get_cookie("session").value


def measure_in_this_process(scenario: str, requests: int, data: dict) -> None:
    """Run under callgrind: warm up, then count `requests` requests."""
    if scenario == "reference":
        from bench.reference_app import create_app as reference

        app = reference(data["database"], data["reference_database"])
        path, cookie = f"/open311/v2/requests/{data['number']}.json", ""
    else:
        from reception import create_app

        app = create_app({"RATELIMIT_ENABLED": False})  # as bench.http serves it
        if scenario == "open311":
            path, cookie = f"/open311/v2/requests/{data['number']}.json", ""
        else:
            path = f"/my/appeals/{data['number']}"
            cookie = _tracked_cookie(app, data["number"], data["code"])
    statuses = []

    def call() -> None:
        answer = app(_environ(path, cookie), lambda status, *_: statuses.append(status))
        b"".join(answer)
        if hasattr(answer, "close"):
            answer.close()

    for _ in range(30):
        call()
    if not statuses[-1].startswith("200"):
        raise RuntimeError(f"{scenario}: {statuses[-1]}")
    control = ["callgrind_control", "-i"]
    subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(requests):
        call()
    subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)


def count(scenario: str, requests: int, data: dict, env: dict, work: Path) -> int:
    log = work / f"{scenario}.callgrind.log"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={work / (scenario + '.out')}",
        sys.executable,
        "-m",
        "bench.instructions",
        "--child",
        scenario,
        "--requests",
        str(requests),
        "--data",
        json.dumps(data),
    ]
    with open(log, "w") as err, open(work / f"{scenario}.app.log", "w") as out:
        done = subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=out, stderr=err)
    if done.returncode:
        raise RuntimeError(f"{scenario} failed:\n" + "\n".join(log.read_text().splitlines()[-15:]))
    found = re.search(r"Collected : (\d+)", log.read_text())
    if found is None:
        raise RuntimeError(f"callgrind gave no count for {scenario}; see {log}")
    return int(found.group(1)) // requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--appeals", type=int, default=2_000)
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_in_this_process(args.child, args.requests, json.loads(args.data))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed: apt-get install valgrind")
    with tempfile.TemporaryDirectory(prefix="reception-instructions-") as folder:
        work = Path(folder)
        env = reception_env(work)
        bench = prepare(env, work, args.appeals)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(work / "metrics")
        (work / "metrics").mkdir()
        data = {
            "number": bench.number,
            "code": bench.access_code,
            "database": str(work / "reception.db"),
            "reference_database": str(work / "reference.db"),
        }
        counts = {name: count(name, args.requests, data, env, work) for name in SCENARIOS}
    reference = counts["reference"]
    print(f"{'scenario':<34} {'instructions per request':>26} {'x reference':>12}")
    for name in SCENARIOS:
        print(f"{name:<34} {counts[name]:>26,} {counts[name] / reference:>12.2f}")


if __name__ == "__main__":
    main()
