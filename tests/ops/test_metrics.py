"""/metrics: who may read it, and what a filing, a refusal, the outbox and the queue show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from reception.core.types import utcnow
from reception.extensions import db
from reception.ops import health
from tests.factories import appeal_data, make_appeal

LONG_AGO = datetime(2026, 1, 13, 4, tzinfo=UTC)  # its term has long passed


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.status_code
    assert answer.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, metric, **labels) -> float:
    return samples.get((metric, tuple(sorted(labels.items()))), 0.0)


def test_metrics_answer_only_allowed_addresses_or_the_token(make_app):
    guarded = make_app(
        RECEPTION_METRICS_ALLOW=("10.1.0.0/16", "not-an-address"),
        RECEPTION_METRICS_TOKEN="s3cret-token",
    )
    client = guarded.test_client()
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is not in this list
    inside = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics", environ_base=inside).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.0.1"}).status_code == 404
    good = {"Authorization": "Bearer s3cret-token"}
    assert client.get("/metrics", headers=good).status_code == 200
    for bad in ("Bearer wrong", "Basic s3cret-token", "Bearer ", "s3cret-token"):
        assert client.get("/metrics", headers={"Authorization": bad}).status_code == 404, bad
    # Without a token configured, no token opens it.
    closed = make_app(RECEPTION_METRICS_ALLOW=(), RECEPTION_METRICS_TOKEN=None).test_client()
    assert closed.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_a_filing_shows_in_requests_appeals_actions_and_the_outbox(client):
    before = scrape(client)
    answer = client.post("/appeals/new", data=appeal_data())
    assert answer.status_code == 302
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("reception_appeals_filed_total", channel="web") == 1
    assert grew("reception_appeal_actions_total", action="register") == 1
    assert (
        grew("reception_http_requests_total", route="/appeals/new", method="POST", status="302")
        == 1
    )
    assert (
        grew("reception_http_request_duration_seconds_count", route="/appeals/new", method="POST")
        == 1
    )
    assert value(after, "reception_outbox_backlog") >= 1
    assert value(after, "reception_outbox_oldest_pending_age_seconds") >= 0
    assert value(after, "reception_appeals_open", authority="astana-akimat") == 1
    assert value(after, "reception_database_up") == 1


def test_open_and_overdue_appeals_per_body(client):
    make_appeal(LONG_AGO)
    make_appeal(LONG_AGO, region="KZ-75")  # Almaty
    make_appeal(datetime.now(UTC))
    samples = scrape(client)
    assert value(samples, "reception_appeals_open", authority="astana-akimat") == 2
    assert value(samples, "reception_appeals_overdue", authority="astana-akimat") == 1
    assert value(samples, "reception_appeals_overdue", authority="almaty-akimat") == 1


def test_the_age_of_the_oldest_unsent_e_mail(client):
    make_appeal(LONG_AGO)  # its receipt e-mail was queued then and is still waiting
    samples = scrape(client)
    assert value(samples, "reception_outbox_oldest_pending_age_seconds") > 300 * 24 * 3600


def test_heartbeats_and_the_deadline_job(app, client):
    samples = scrape(client)
    assert value(samples, "reception_heartbeat_late", name="outbox") == 1  # never beat
    assert value(samples, "reception_deadline_job_last_success_timestamp_seconds") == 0
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert runner.invoke(args=["deadlines", "remind"]).exit_code == 0
    samples = scrape(client)
    assert value(samples, "reception_heartbeat_late", name="outbox") == 0
    assert value(samples, "reception_heartbeat_late", name="deadlines") == 0
    ran_at = value(samples, "reception_deadline_job_last_success_timestamp_seconds")
    assert abs(ran_at - utcnow().timestamp()) < 60
    health.beat(db.session, "deadlines", now=utcnow() - timedelta(hours=27))
    db.session.commit()
    assert value(scrape(client), "reception_heartbeat_late", name="deadlines") == 1


def test_made_up_methods_are_counted_as_other(client):
    """A request's method is the client's word: a made-up one must not add a series."""
    before = scrape(client)
    for method in ("FOOBAR", "BREW", "PROPFIND"):
        assert client.open("/", method=method).status_code in (400, 405)
    after = scrape(client)
    assert not [key for key in after if ("method", "FOOBAR") in key[1]]
    other = ("reception_http_requests_total", "other")
    grown = sum(
        v - before.get(k, 0.0)
        for k, v in after.items()
        if k[0] == other[0] and ("method", "other") in k[1]
    )
    assert grown == 3


def test_rate_limit_refusals_are_counted(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_TRACK="2 per minute")
    client = limited.test_client()
    before = scrape(client)
    answers = [
        client.post(
            "/track", data={"number": "RC-2026-00000001", "code": "AAAAA-AAAAA"}
        ).status_code
        for _ in range(3)
    ]
    assert answers[-1] == 429
    after = scrape(client)
    grown = value(after, "reception_rate_limit_refusals_total", route="/track") - value(
        before, "reception_rate_limit_refusals_total", route="/track"
    )
    assert grown == 1


def test_database_errors_are_counted(client):
    before = value(scrape(client), "reception_database_errors_total", kind="error")
    with pytest.raises(DBAPIError):
        db.session.execute(text("SELECT * FROM no_such_table_here"))
    db.session.rollback()
    assert value(scrape(client), "reception_database_errors_total", kind="error") == before + 1


def test_a_database_that_is_down_is_reported_not_raised(make_app, tmp_path):
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    samples = scrape(broken.test_client())
    assert value(samples, "reception_database_up") == 0
    assert ("reception_outbox_backlog", ()) not in samples


def test_production_opens_metrics_to_nobody_until_configured():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTION_METRICS")}
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config; c = config.ProductionConfig; "
            "print(c.RECEPTION_METRICS_ALLOW, c.RECEPTION_METRICS_TOKEN)",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split() == ["()", "None"]


def test_delivery_failures_show_in_the_metrics_and_the_log(client, caplog):
    import logging

    from reception.notifications.outbox import DeliveryPolicy, deliver_due
    from reception.ops.worker import LoggedTransport

    class Down:
        def send(self, message):
            raise ConnectionRefusedError(f"cannot reach the server for {message.recipient}")

    make_appeal(datetime.now(UTC))
    before = scrape(client)
    caplog.set_level(logging.INFO, logger="reception.outbox")
    logging.getLogger("reception.outbox").disabled = False
    report = deliver_due(db.session, LoggedTransport(Down()), now=utcnow(), policy=DeliveryPolicy())
    assert report.retried == 1
    after = scrape(client)
    assert value(after, "reception_outbox_retrying_messages") == 1
    assert value(after, "reception_outbox_delivery_failures_total") == (
        value(before, "reception_outbox_delivery_failures_total") + 1
    )
    (line,) = [r for r in caplog.records if r.getMessage() == "e-mail delivery failed"]
    assert line.error_type == "ConnectionRefusedError" and line.outcome == "failed"
    assert "askar@example.kz" not in caplog.text
