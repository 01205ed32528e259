"""Builders for test data that go through the real services."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from flask import current_app

from reception.accounts.services import create_user
from reception.appeals.services import FilingSettings, file_appeal
from reception.appeals.submission import Submission
from reception.core.files import AttachmentStore, Upload
from reception.directory.queries import get_authority
from reception.extensions import db

PASSWORD = "correct horse battery"
# A valid IIN (check digit computed by the rule in docs/domain.md, section 2).
VALID_IIN = "900101300017"

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def appeal_data(**overrides) -> dict:
    data = {
        "kind": "application",
        "category": "housing-utilities",
        "region": "KZ-71",
        "authority": "",
        "subject": "No heating at Kenesary 40",
        "text": "Since 1 November there is no heating in our building.",
        "applicant_type": "person",
        "full_name": "Асқар Мұқанов",
        "iin": VALID_IIN,
        "email": "askar@example.kz",
        "phone": "+7 701 234 56 78",
        "address": "Астана, Кенесары 40, 12",
        "language": "ru",
    }
    data.update(overrides)
    return data


def make_appeal(now: datetime, actor=None, uploads=(), **overrides):
    """File an appeal through the real service; return (appeal, access code)."""
    settings = FilingSettings.from_config(current_app.config)
    store = AttachmentStore(Path(current_app.config["UPLOAD_FOLDER"]))
    filed = file_appeal(
        db.session,
        Submission.from_mapping(appeal_data(**overrides), list(uploads)),
        now=now,
        actor=actor,
        settings=settings,
        store=store,
    )
    db.session.commit()
    return filed.appeal, filed.access_code


def make_user(role="citizen", email=None, authority_code=None, now=None, **kwargs):
    from reception.core.types import utcnow

    authority = get_authority(db.session, authority_code) if authority_code else None
    user = create_user(
        db.session,
        email=email or f"{role}@example.kz",
        password=PASSWORD,
        role=role,
        authority=authority,
        now=now or utcnow(),
        **kwargs,
    )
    db.session.commit()
    return user


def file_upload(content: bytes, name: str):
    return (io.BytesIO(content), name)


def upload(content: bytes, name: str) -> Upload:
    return Upload(filename=name, content=content)


def workflow_settings():
    from reception.appeals.workflow import WorkflowSettings

    return WorkflowSettings.from_config(current_app.config)


def store():
    return AttachmentStore(Path(current_app.config["UPLOAD_FOLDER"]))


def make_staff(authority_code="astana-akimat", role="official", email=None, **kwargs):
    return make_user(
        role=role,
        email=email or f"{role}.{authority_code}@example.kz",
        authority_code=authority_code,
        full_name=kwargs.pop("full_name", f"{role.title()} of {authority_code}"),
        **kwargs,
    )
