"""Generate 10,000 and 1,000,000 appeals on PostgreSQL and compare the dashboard times.

    python -m bench.dashboard_ratio [--small 10000] [--large 1000000]

Creates (and drops first) the databases reception_bench_small and reception_bench_large on
the PostgreSQL server of BENCH_PG (default postgresql://postgres@127.0.0.1), then prints the
median dashboard times at both sizes and their ratio. The goal: the large one within 3x.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import psycopg


def recreate(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def run(module: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", module, *args], check=True, capture_output=True, text=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    server = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1")
    timings = {}
    for label, count in (("small", args.small), ("large", args.large)):
        url = recreate(server, f"reception_bench_{label}")
        print(f"generating {count:,} appeals ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "--database-url", url, "--count", str(count)],
            check=True,
        )
        output = run("bench.dashboard", "--database-url", url, "--runs", str(args.runs))
        timings[label] = dict(line.rsplit(": ", 1) for line in output.strip().splitlines())
    print(f"\n{'page':<32} {args.small:>10,} {args.large:>12,}   ratio")
    for page, small in timings["small"].items():
        small_ms = float(small.split()[0])
        large_ms = float(timings["large"][page].split()[0])
        print(f"{page:<32} {small_ms:>8.1f} ms {large_ms:>9.1f} ms  {large_ms / small_ms:5.1f}x")


if __name__ == "__main__":
    main()
