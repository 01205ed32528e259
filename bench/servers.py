"""Start gunicorn servers for a benchmark, and stop them whatever happens."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:  # pragma: no cover (runs in the child, before exec)
    """Linux: have the kernel send SIGTERM to a child (a server, wrk) if this process dies,
    even by SIGKILL, so that nothing outlives its benchmark."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


class Gunicorn:
    """One gunicorn server on a free port of 127.0.0.1, in a process group of its own.

    Every server of a benchmark is started by this class with the same options, so the
    application is the only difference between them.
    """

    def __init__(
        self,
        app: str,
        *,
        name: str,
        workers: int,
        env: dict[str, str],
        log_dir: Path,
        worker_class: str = "sync",
        health_path: str = "/healthz",
    ):
        self.app, self.name, self.workers, self.env = app, name, workers, env
        self.worker_class, self.health_path = worker_class, health_path
        self.log_path = Path(log_dir) / f"{name}.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            f"--workers={self.workers}",
            f"--worker-class={self.worker_class}",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
            self.app,
        ]

    def start(self, timeout: float = 30.0) -> Gunicorn:
        self.port = free_port()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl+C reaches us; we stop the whole group
                preexec_fn=die_with_parent,  # safe: this process runs no threads
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            if len(self.worker_pids()) == self.workers and self._healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not start in {timeout:.0f} s:\n{self.log_tail()}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + self.health_path, timeout=2) as response:  # noqa: S310 (our own loopback server)
                return response.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process is not None else []

    def worker_rss_mb(self) -> dict[int, float]:
        return {pid: rss_mb(pid) for pid in self.worker_pids()}

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """TERM the whole process group (master and workers), then KILL what is left."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # Workers that outlived their master (they should not) go with the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
