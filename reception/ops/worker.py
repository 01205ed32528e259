"""The background processes' part: delivery log lines, heartbeats, the daily purge."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy.orm import Session

from reception.ops import health, logs, metrics
from reception.ops.security_log import purge_security_events

outbox_log = logging.getLogger("reception.outbox")
jobs_log = logging.getLogger("reception.jobs")


class LoggedTransport:
    """Wraps the e-mail transport: one log line per delivery attempt, in the trail of the
    request that queued the message (its request id), with no recipient and no content."""

    def __init__(self, transport):
        self.transport = transport

    def __getattr__(self, name):
        return getattr(self.transport, name)

    def send(self, message) -> None:
        token = logs.set_request_id(message.request_id or logs.process_run_id())
        started = time.perf_counter()
        fields = {
            "outbox_message_id": message.id,
            "template": message.template,
            "appeal_id": message.appeal_id,
            "attempt": message.attempts,
        }
        try:
            self.transport.send(message)
        except Exception as error:
            metrics.DELIVERY_FAILURES.inc()
            outbox_log.warning(
                "e-mail delivery failed",
                extra={
                    **fields,
                    "outcome": "failed",
                    "error_type": type(error).__name__,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            raise
        else:
            outbox_log.info(
                "e-mail delivered",
                extra={
                    **fields,
                    "outcome": "sent",
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        finally:
            logs.reset_request_id(token)


def outbox_round_done(session: Session, report, *, now: datetime) -> None:
    """Beat after a round of the worker (whether or not there was mail), and commit."""
    counts = {"sent": report.sent, "retried": report.retried, "failed": report.failed}
    health.beat(session, health.OUTBOX, now=now, detail=health.process_detail(**counts))
    session.commit()
    if report.sent or report.retried or report.failed:
        outbox_log.info("outbox round", extra=counts)


def deadline_job_done(session: Session, report, *, now: datetime, config) -> None:
    """The daily job's last steps, in its transaction: purge the old security events and
    beat. The caller commits."""
    purged = purge_security_events(
        session, now=now, days=int(config.get("RECEPTION_SECURITY_LOG_DAYS", 365))
    )
    counts = {
        "reminders": report.reminders,
        "alerts": report.alerts,
        "closed": report.closed,
        "security_events_purged": purged,
    }
    health.beat(session, health.DEADLINES, now=now, detail=health.process_detail(**counts))
    jobs_log.info("deadline job finished", extra=counts)
