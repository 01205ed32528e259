"""Whether the rate limits are counted in one place.

Flask-Limiter's memory:// store lives inside each process: with four gunicorn workers an
address may make four times the limit (the log-in and second-factor guesses included). In
production such a store is therefore refused when several workers are known to serve, or
whenever RECEPTION_REQUIRE_SHARED_LIMITS is set, and warned about loudly otherwise (also
when RECEPTION_ALLOW_PER_PROCESS_LIMITS accepts it knowingly, for a benchmark or a trial).
"""

from __future__ import annotations

import logging
import os
import shlex
from collections.abc import Mapping, Sequence

logger = logging.getLogger("reception.ratelimits")

# Set by gunicorn.conf.py from gunicorn's own, final settings before the workers start.
WORKERS_VARIABLE = "RECEPTION_WORKERS"


class SharedLimitsRequired(RuntimeError):
    """Production with a per-process rate-limit store where processes are several."""


def _workers_in_args(args: Sequence[str]) -> int | None:
    """The value of -w/--workers in gunicorn's arguments, if any (the last one wins)."""
    found = None
    for index, item in enumerate(args):
        value = None
        if item in ("-w", "--workers") and index + 1 < len(args):
            value = args[index + 1]
        elif item.startswith("--workers="):
            value = item.partition("=")[2]
        elif item.startswith("-w") and len(item) > 2 and item[2:].isascii():
            value = item[2:]
        if value is not None and value.isascii() and value.isdigit():
            found = int(value)
    return found


def _is_gunicorn(argv: Sequence[str]) -> bool:
    """Started as `gunicorn ...` or `python -m gunicorn ...` (workers keep the master's argv)."""
    return bool(argv) and "gunicorn" in str(argv[0])


def worker_count(environ: Mapping[str, str], argv: Sequence[str]) -> int | None:
    """How many processes serve this app, when it can be told; None when it cannot.

    In order: what gunicorn.conf.py recorded from gunicorn's final settings, then
    gunicorn's command line, GUNICORN_CMD_ARGS, and WEB_CONCURRENCY (gunicorn's default).
    """
    recorded = environ.get(WORKERS_VARIABLE, "")
    if recorded.isascii() and recorded.isdigit():
        return int(recorded)
    if _is_gunicorn(argv):
        from_argv = _workers_in_args(list(argv))
        if from_argv is not None:
            return from_argv
    try:
        from_env_args = _workers_in_args(shlex.split(environ.get("GUNICORN_CMD_ARGS", "")))
    except ValueError:
        from_env_args = None
    if from_env_args is not None:
        return from_env_args
    concurrency = environ.get("WEB_CONCURRENCY", "").strip()
    if concurrency.isascii() and concurrency.isdigit():
        return int(concurrency)
    if _is_gunicorn(argv):
        return 1  # gunicorn's own default
    return None


def uses_process_memory(storage_uri: str) -> bool:
    return (storage_uri or "memory://").strip().lower().startswith("memory://")


def shared_limits_problem(
    config: Mapping, environ: Mapping[str, str], argv: Sequence[str]
) -> tuple[str, str] | None:
    """("refuse" | "warn", why) when production counts limits per process, else None."""
    if config.get("ENV_NAME") != "production" or not config.get("RATELIMIT_ENABLED", True):
        return None
    if not uses_process_memory(config.get("RATELIMIT_STORAGE_URI", "memory://")):
        return None
    workers = worker_count(environ, argv)
    advice = (
        "set RATELIMIT_STORAGE_URI to a shared store such as redis://host:6379/0, "
        "or serve with a single worker"
    )
    if workers is not None and workers > 1:
        return (
            "warn" if config.get("RECEPTION_ALLOW_PER_PROCESS_LIMITS") else "refuse",
            f"rate limits are kept in each process's memory (RATELIMIT_STORAGE_URI=memory://) "
            f"but {workers} workers serve: each would allow the whole limit; {advice} "
            "(RECEPTION_ALLOW_PER_PROCESS_LIMITS=1 starts anyway, counting per worker).",
        )
    if config.get("RECEPTION_REQUIRE_SHARED_LIMITS"):
        return (
            "refuse",
            "RECEPTION_REQUIRE_SHARED_LIMITS is set but rate limits are kept in this "
            f"process's memory (RATELIMIT_STORAGE_URI=memory://); {advice}.",
        )
    count = "one worker serves" if workers == 1 else "the number of workers is unknown"
    return (
        "warn",
        "rate limits are kept in this process's memory (RATELIMIT_STORAGE_URI=memory://) and "
        f"{count}: that is right only for one process on one host; for more, set "
        "RATELIMIT_STORAGE_URI to a shared store such as redis://host:6379/0.",
    )


def check_shared_limits(
    config: Mapping, environ: Mapping[str, str] | None = None, argv: Sequence[str] | None = None
) -> None:
    """Refuse to start (SharedLimitsRequired) or log a warning, as shared_limits_problem says."""
    import sys

    problem = shared_limits_problem(
        config, os.environ if environ is None else environ, sys.argv if argv is None else argv
    )
    if problem is None:
        return
    verdict, why = problem
    if verdict == "refuse":
        raise SharedLimitsRequired("Reception will not start: " + why)
    logger.warning("WARNING: %s", why)
