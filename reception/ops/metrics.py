"""Metrics in the Prometheus format, for one process or for all of gunicorn's workers.

Counters and histograms live in each process. Under gunicorn, PROMETHEUS_MULTIPROC_DIR names
a folder where each worker writes its values and the scrape sums them (gunicorn.conf.py
empties it at start and marks each dead worker). What is a fact of the database (the outbox
backlog, open and overdue appeals, heartbeats) is read at scrape time by a few grouped
queries, so it is right whichever process or host did the work.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from datetime import date, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "reception_http_requests",
    "HTTP requests answered, by route (the URL rule), method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "reception_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# A request's method is the client's word: any other than these is counted as "other", so
# that made-up methods cannot add series without end.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REQUEST_SERIES: dict[tuple[str, str, int], tuple] = {}  # (route, method label, status)


def request_series(route: str, method: str, status: int) -> tuple:
    """The counter and the latency histogram of answers to one route, method and status.

    Found once per process: the routes are the application's own rules ("(unmatched)" for
    any other address), the methods are KNOWN_METHODS or "other", so the set is bounded.
    """
    label = method if method in KNOWN_METHODS else "other"
    key = (route, label, status)
    series = _REQUEST_SERIES.get(key)
    if series is None:
        series = (REQUESTS.labels(route, label, str(status)), LATENCY.labels(route, label))
        _REQUEST_SERIES[key] = series
    return series


APPEALS_FILED = Counter("reception_appeals_filed", "Appeals registered, by channel.", ["channel"])
ACTIONS = Counter(
    "reception_appeal_actions", "Steps of appeals' history written, by action code.", ["action"]
)
RATE_LIMITED = Counter(
    "reception_rate_limit_refusals", "Requests refused by a rate limit, by route.", ["route"]
)
DATABASE_ERRORS = Counter(
    "reception_database_errors",
    "Errors from the database driver (kind: disconnect or error).",
    ["kind"],
)
DELIVERY_FAILURES = Counter(
    "reception_outbox_delivery_failures",
    "Failed e-mail delivery attempts counted by outbox workers that share this metrics folder.",
)
SECURITY_EVENTS = Counter(
    "reception_security_events", "Security events recorded, by kind.", ["kind"]
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render(database_collector: Collector | None) -> bytes:
    """The exposition text: this process's (or all workers') metrics, then the database's."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY)
    if database_collector is not None:
        scrape = CollectorRegistry()
        scrape.register(database_collector)
        output += generate_latest(scrape)
    return output


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time; a failing database is reported, not
    raised (`reception_database_up 0`)."""

    def __init__(self, read, *, logger=None):
        self._read = read  # () -> ScrapeFacts
        self._logger = logger

    def collect(self) -> Iterable[GaugeMetricFamily]:
        started = time.monotonic()
        up = GaugeMetricFamily("reception_database_up", "1 when the database answered the scrape.")
        try:
            facts = self._read()
        except Exception as error:  # the scrape must say "down", not fail
            if self._logger is not None:
                self._logger.warning(
                    "metrics: database unavailable", extra={"error_type": type(error).__name__}
                )
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from facts.families()
        took = GaugeMetricFamily(
            "reception_metrics_scrape_seconds", "Time the database part of this scrape took."
        )
        took.add_metric([], time.monotonic() - started)
        yield took


class ScrapeFacts:
    """What the database says at one moment (built by ops.health.read_facts)."""

    def __init__(
        self,
        *,
        now: datetime,
        outbox_pending: int,
        outbox_oldest: datetime | None,
        outbox_failed: int,
        outbox_retrying: int = 0,
        heartbeats: dict[str, tuple[datetime | None, float, bool]],
        appeals: list[tuple[str, int, int]],
        today: date,
    ):
        self.now = now
        self.outbox_pending = outbox_pending
        self.outbox_oldest = outbox_oldest
        self.outbox_failed = outbox_failed
        self.outbox_retrying = outbox_retrying
        self.heartbeats = heartbeats  # name -> (beat_at, allowed seconds, late)
        self.appeals = appeals  # (authority code, open, overdue)
        self.today = today

    def families(self) -> Iterable[GaugeMetricFamily]:
        backlog = GaugeMetricFamily(
            "reception_outbox_backlog", "E-mails waiting to be sent (pending, due or retrying)."
        )
        backlog.add_metric([], self.outbox_pending)
        yield backlog
        oldest = GaugeMetricFamily(
            "reception_outbox_oldest_pending_age_seconds",
            "Age of the oldest e-mail not yet sent (0 when none waits).",
        )
        age = (self.now - self.outbox_oldest).total_seconds() if self.outbox_oldest else 0.0
        oldest.add_metric([], max(age, 0.0))
        yield oldest
        failed = GaugeMetricFamily(
            "reception_outbox_failed_messages",
            "E-mails the worker gave up on after every attempt.",
        )
        failed.add_metric([], self.outbox_failed)
        yield failed
        retrying = GaugeMetricFamily(
            "reception_outbox_retrying_messages",
            "E-mails waiting for another attempt after a failed one (wherever the worker runs).",
        )
        retrying.add_metric([], self.outbox_retrying)
        yield retrying

        beat_time = GaugeMetricFamily(
            "reception_heartbeat_timestamp_seconds",
            "When a background process last finished a round (Unix time; absent: never).",
            labels=["name"],
        )
        beat_age = GaugeMetricFamily(
            "reception_heartbeat_age_seconds",
            "Seconds since a background process last finished a round.",
            labels=["name"],
        )
        late = GaugeMetricFamily(
            "reception_heartbeat_late",
            "1 when a background process has not beaten within its allowed time.",
            labels=["name"],
        )
        for name, (beat_at, _allowed, is_late) in sorted(self.heartbeats.items()):
            if beat_at is not None:
                beat_time.add_metric([name], beat_at.timestamp())
                beat_age.add_metric([name], max((self.now - beat_at).total_seconds(), 0.0))
            late.add_metric([name], 1 if is_late else 0)
        yield beat_time
        yield beat_age
        yield late
        deadline = GaugeMetricFamily(
            "reception_deadline_job_last_success_timestamp_seconds",
            "When the daily deadline job last finished (Unix time; 0: never).",
        )
        beat_at = self.heartbeats.get("deadlines", (None, 0, True))[0]
        deadline.add_metric([], beat_at.timestamp() if beat_at else 0)
        yield deadline

        open_ = GaugeMetricFamily(
            "reception_appeals_open", "Appeals not yet decided, per body.", labels=["authority"]
        )
        overdue = GaugeMetricFamily(
            "reception_appeals_overdue",
            "Appeals whose term has passed while it runs, per body.",
            labels=["authority"],
        )
        for code, opened, late_count in self.appeals:
            open_.add_metric([code], opened)
            overdue.add_metric([code], late_count)
        yield open_
        yield overdue
