"""The reference for `make bench`: the least a Flask app can do for the same two jobs.

- `GET /open311/v2/requests/<number>.json`: one keyed read of a published appeal from
  Reception's own SQLite database with the standard library's sqlite3 (one query, by
  registration number), answered with the same JSON as Reception's Open311 GET of one request.
- `POST /insert`: one INSERT of the posted form into a table of its own, then commit: the
  floor under filing an appeal.

Served by gunicorn exactly as Reception is (see bench.http):

    gunicorn "bench.reference_app:create_app('/tmp/x/reception.db', '/tmp/x/reference.db')"

No ORM, no templates, no sessions, no extensions: whatever Reception does beyond this is its
own cost.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, request

ZONE = ZoneInfo("Asia/Almaty")
CUTOFF = time(18, 30)
FINAL_STATUSES = {"answered", "returned", "terminated", "withdrawn", "closed"}

# The latest public event of the appeal comes with it, in the same query.
READ_SQL = """
SELECT a.number, a.status, COALESCE(a.published_subject, ''), a.received_at, a.updated_at, a.due_on,
       c.code, c.name_en, au.name_en,
       (SELECT e.action FROM appeal_events AS e
         WHERE e.appeal_id = a.id AND e.is_public ORDER BY e.id DESC LIMIT 1)
  FROM appeals AS a
  JOIN categories AS c ON c.id = a.category_id
  JOIN authorities AS au ON au.id = a.authority_id
 WHERE a.number = ? AND a.publish_consent
"""
INSERT_FIELDS = (
    "service_code",
    "attribute[region]",
    "address_string",
    "first_name",
    "last_name",
    "email",
    "description",
)
CREATE_SQL = """
CREATE TABLE IF NOT EXISTS filings (
    id INTEGER PRIMARY KEY,
    service_code TEXT, region TEXT, address TEXT, first_name TEXT, last_name TEXT,
    email TEXT, description TEXT, received_at TEXT NOT NULL
)
"""
INSERT_SQL = (
    "INSERT INTO filings (service_code, region, address, first_name, last_name, email, "
    "description, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _iso(text: str) -> str:
    """A naive UTC time as SQLAlchemy stores it on SQLite, as a local ISO 8601 moment."""
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return moment.astimezone(ZONE).isoformat(timespec="seconds")


def request_view(row: tuple) -> dict:
    """One Open311 service request, with the keys (and values) of Reception's answer."""
    (number, status, subject, received, updated, due_on, code, service, agency, action) = row
    due = date.fromisoformat(due_on)
    return {
        "service_request_id": number,
        "status": "closed" if status in FINAL_STATUSES else "open",
        "status_notes": action.replace("_", " ").capitalize() if action else "",
        "service_name": service,
        "service_code": code,
        "description": subject,
        "agency_responsible": agency,
        "service_notice": f"Registered as {number}. The answer is due by {due.isoformat()}.",
        "requested_datetime": _iso(received),
        "updated_datetime": _iso(updated),
        "expected_datetime": datetime.combine(due, CUTOFF, ZONE).isoformat(),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def create_app(read_database: str, insert_database: str) -> Flask:
    app = Flask(__name__)
    # One connection of each kind per worker process, opened after gunicorn forks.
    connections: dict[str, sqlite3.Connection] = {}

    def connection(path: str) -> sqlite3.Connection:
        if path not in connections:
            connections[path] = sqlite3.connect(path)
        return connections[path]

    setup = sqlite3.connect(insert_database)
    setup.execute(CREATE_SQL)
    setup.commit()
    setup.close()

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/open311/v2/requests/<number>.json")
    def get_request(number: str):
        row = connection(read_database).execute(READ_SQL, (number,)).fetchone()
        if row is None:
            response = jsonify([{"code": 404, "description": "No such service request."}])
            response.status_code = 404
            return response
        return jsonify([request_view(row)])

    @app.post("/insert")
    def insert():
        form = request.form
        conn = connection(insert_database)
        with conn:  # one transaction, committed
            cursor = conn.execute(
                INSERT_SQL,
                (*(form.get(name, "") for name in INSERT_FIELDS), datetime.now(UTC).isoformat()),
            )
        filed = {"service_request_id": str(cursor.lastrowid), "service_notice": ""}
        return jsonify([{**filed, "account_id": None}])

    return app
