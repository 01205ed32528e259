"""Idempotency-Key for the APIs' POSTs: a retried request answers the first result.

A client that lost the answer to a POST sends it again with the same `Idempotency-Key`
header. The first answer that did something (a 2xx) is stored in the same transaction as
the effect, for `RECEPTION_IDEMPOTENCY_HOURS`; a retry with the same key and the same
request (method, path with query, body) gets that answer again, byte for byte, with
`Idempotent-Replayed: true`, and changes nothing. The same key with another request is
refused (422). Keys belong to the API key that sent them. Two requests with one key at the
same moment: the database lets one row in; the other waits for it, undoes its own work and
answers the stored result. A refused request (4xx) stores nothing: it changed nothing, and
its retry is judged again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reception.api.models import IdempotentResponse
from reception.core.i18n import lazy_gettext as _l

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Printable ASCII without spaces, as clients send UUIDs or similar tokens.
_KEY = re.compile(r"[\x21-\x7e]{1,255}")

BAD_KEY = _l("The Idempotency-Key header must be 1 to 255 visible ASCII characters, no spaces.")
KEY_REUSED = _l(
    "This Idempotency-Key was already used for a different request. "
    "Send a new key with a new request."
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class IdempotencyError(Exception):
    """A key that cannot be used; `status` and `code` for the answer, `message` for people."""

    def __init__(self, status: int, code: str, message):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IdempotentCall:
    api_key_id: int
    key: str
    fingerprint: str


def _body_bytes(request: Request) -> bytes:
    """The body in a stable form: forms and JSON parsed (form parsing may have read the
    stream already; a re-serialised JSON object is the same request), anything else raw."""
    if request.mimetype in FORM_TYPES:
        fields = sorted(request.form.items(multi=True))
        files = sorted(
            (name, f.filename or "", hashlib.sha256(f.stream.read()).hexdigest())
            for name, f in request.files.items(multi=True)
        )
        for _name, f in request.files.items(multi=True):
            f.stream.seek(0)
        return json.dumps([fields, files], ensure_ascii=False).encode()
    raw = request.get_data(cache=True)
    if request.is_json:
        try:
            return json.dumps(json.loads(raw), sort_keys=True, ensure_ascii=False).encode()
        except (ValueError, RecursionError):
            return raw
    return raw


def fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.rstrip("?").encode()):
        digest.update(part + b"\n")
    digest.update(hashlib.sha256(_body_bytes(request)).hexdigest().encode())
    return digest.hexdigest()


def from_request(request: Request, api_key_id: int) -> IdempotentCall | None:
    """The call's key and fingerprint, or None when no key was sent."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not _KEY.fullmatch(key):
        raise IdempotencyError(400, "bad_request", BAD_KEY)
    return IdempotentCall(api_key_id=api_key_id, key=key, fingerprint=fingerprint(request))


def _cutoff(now: datetime, hours: int) -> datetime:
    return now - timedelta(hours=hours)


def stored_response(
    session: Session, call: IdempotentCall, *, now: datetime, hours: int
) -> Response | None:
    """The stored answer for this key, or None if there is none (an expired one is removed)."""
    session.execute(
        delete(IdempotentResponse).where(
            IdempotentResponse.api_key_id == call.api_key_id,
            IdempotentResponse.key == call.key,
            IdempotentResponse.created_at < _cutoff(now, hours),
        )
    )
    row = session.scalar(
        select(IdempotentResponse).where(
            IdempotentResponse.api_key_id == call.api_key_id,
            IdempotentResponse.key == call.key,
        )
    )
    if row is None:
        return None
    if row.fingerprint != call.fingerprint:
        raise IdempotencyError(422, "idempotency_key_reused", KEY_REUSED)
    response = Response(row.body, status=row.status_code, content_type=row.content_type)
    response.headers[REPLAYED_HEADER] = "true"
    return response


def remember(session: Session, call: IdempotentCall, response: Response, *, now: datetime):
    """Store the answer in the caller's transaction, beside the effect; the caller commits."""
    session.add(
        IdempotentResponse(
            api_key_id=call.api_key_id,
            key=call.key,
            fingerprint=call.fingerprint,
            status_code=response.status_code,
            content_type=response.content_type or "application/octet-stream",
            body=response.get_data(as_text=True),
            created_at=now,
        )
    )


def purge_expired(session: Session, *, now: datetime, hours: int) -> int:
    """Remove answers older than the setting (the daily job runs this)."""
    result = session.execute(
        delete(IdempotentResponse).where(IdempotentResponse.created_at < _cutoff(now, hours))
    )
    return result.rowcount or 0
