"""Helpers for tests that drive a real server over HTTP and then look in the database."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.appeals.models import Appeal, AppealEvent, Attachment, RegistrationCounter
from reception.notifications.models import OutboxMessage
from tests.factories import PDF_BYTES, appeal_data

_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_RECEIPT = re.compile(r"/appeals/([A-Z]+-\d{4}-\d{8})/receipt$")


def csrf_token(html: str) -> str:
    tag = _CSRF_INPUT.search(html)
    assert tag, "the page has no CSRF token"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def receipt_number(location: str) -> str | None:
    match = _RECEIPT.search(location or "")
    return match.group(1) if match else None


def form_fields(token: str, **overrides) -> dict:
    return {**appeal_data(**overrides), "csrf_token": token}


def pdf_file(name: str = "scan.pdf") -> dict:
    return {"attachments": (name, PDF_BYTES, "application/pdf")}


def assert_every_appeal_whole(session: Session, upload_folder: str | Path | None = None):
    """Every appeal has its register event, its e-mail and its files; numbers have no gaps.

    Returns the appeals, so that the caller can compare them with what the users were told.
    """
    appeals = session.scalars(select(Appeal).order_by(Appeal.year, Appeal.sequence)).all()
    registers = Counter(
        session.scalars(select(AppealEvent.appeal_id).where(AppealEvent.action == "register"))
    )
    receipts = Counter(
        session.scalars(
            select(OutboxMessage.appeal_id).where(OutboxMessage.template == "appeal_registered")
        )
    )
    for appeal in appeals:
        assert registers[appeal.id] == 1, f"{appeal.number} has {registers[appeal.id]} registers"
        assert receipts[appeal.id] == 1, f"{appeal.number} has {receipts[appeal.id]} receipts"
        assert appeal.number.endswith(f"-{appeal.year}-{appeal.sequence:08d}")
    assert sum(registers.values()) == len(appeals), "a register event without its appeal"
    assert sum(receipts.values()) == len(appeals), "a receipt e-mail without its appeal"

    by_year: dict[int, list[int]] = {}
    for appeal in appeals:
        by_year.setdefault(appeal.year, []).append(appeal.sequence)
    counters = dict(
        session.execute(select(RegistrationCounter.year, RegistrationCounter.last_value)).all()
    )
    for year, sequences in by_year.items():
        assert sequences == list(range(1, len(sequences) + 1)), f"gaps or repeats in {year}"
        assert counters.get(year) == len(sequences), f"the counter of {year} is off"

    if upload_folder is not None:
        for stored_name in session.scalars(select(Attachment.stored_name)):
            assert (Path(upload_folder) / stored_name).is_file(), f"{stored_name} is lost"
    return appeals
