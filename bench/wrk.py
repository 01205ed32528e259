"""Run wrk and read its report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.servers import die_with_parent

LUA = Path(__file__).resolve().parent / "lua"
POST_FORM = LUA / "post_form.lua"

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s*([\d.]+)", re.MULTILINE)
_LATENCY = re.compile(r"^\s*Latency\s+([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s*(\d+)", re.MULTILINE)
_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    requests: int  # every response, good or not
    seconds: float
    requests_per_second: float  # as wrk prints it (counts error responses too)
    latency_ms: float  # mean
    non_2xx: int  # 4xx and 5xx answers
    socket_errors: int  # connect, read, write and timeout errors

    @property
    def ok_per_second(self) -> float:
        """Only the 2xx and 3xx answers, per second: what the ratios are made of."""
        return max(self.requests - self.non_2xx, 0) / self.seconds if self.seconds else 0.0


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's plain-text report (as printed without a Lua `done` function)."""
    total, rps, latency = _TOTAL.search(output), _RPS.search(output), _LATENCY.search(output)
    if not (total and rps and latency):
        raise WrkError(f"not a wrk report:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket = _SOCKET.search(output)
    return WrkResult(
        requests=int(total.group(1)),
        seconds=float(total.group(2)) * _UNITS[total.group(3)] / 1000.0,
        requests_per_second=float(rps.group(1)),
        latency_ms=float(latency.group(1)) * _UNITS[latency.group(2)],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
    )


def wrk_command(
    url: str,
    *,
    seconds: float,
    threads: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> list[str]:
    command = [
        shutil.which("wrk") or "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(int(seconds), 1)}s",
        "--timeout=10s",
    ]
    for name, value in (headers or {}).items():
        command.append(f"--header={name}: {value}")
    if script is not None:
        command.append(f"--script={script}")
    command.append(url)
    return command


def run_wrk(url: str, *, env: dict[str, str] | None = None, **options) -> WrkResult:
    """Load `url` for the given time and return wrk's figures (see wrk_command)."""
    completed = subprocess.run(
        wrk_command(url, **options),
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=die_with_parent,  # safe: this process runs no threads
    )
    if completed.returncode != 0:
        raise WrkError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_wrk(completed.stdout)
