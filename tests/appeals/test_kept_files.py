"""Files attached to a form that came back with an error are kept for the correction."""

import os
import re
import time
from pathlib import Path

from sqlalchemy import select

from reception.appeals.kept_uploads import KEEP_SECONDS, KeptUploads
from reception.appeals.models import Appeal, Attachment
from reception.extensions import db
from tests.factories import PDF_BYTES, PNG_BYTES, appeal_data, file_upload, upload


def post(client, data, files=()):
    return client.post(
        "/appeals/new",
        data={**data, "attachments": [file_upload(c, n) for c, n in files]},
        content_type="multipart/form-data",
    )


def kept_tokens(html: str) -> list[str]:
    return re.findall(r'name="kept_attachments" value="([^"]+)" checked', html)


def pending(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "pending"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_good_files_come_back_with_the_form_and_are_filed_with_the_correction(client, app):
    refused = post(
        client,
        appeal_data(email="broken"),
        files=[(PDF_BYTES, "скан.pdf"), (PNG_BYTES, "photo.png"), (b"MZ\x90", "virus.exe")],
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "скан.pdf" in html and "photo.png" in html
    assert "A file that could not be accepted was left out" in html
    tokens = kept_tokens(html)
    assert len(tokens) == 2 and len(pending(app)) == 2

    # The citizen fixes the e-mail, leaves out the photo and adds another scan.
    filed = post(
        client,
        {**appeal_data(), "kept_attachments": tokens[:1]},
        files=[(PDF_BYTES + b"2", "second.pdf")],
    )
    assert filed.status_code == 302
    appeal = db.session.scalars(select(Appeal)).one()
    names = sorted(a.original_name for a in db.session.scalars(select(Attachment)))
    assert names == ["second.pdf", "скан.pdf"] and appeal is not None
    # The kept copy of the scan is gone (the appeal has its own); the unticked photo waits
    # for the sweep.
    assert len(pending(app)) == 1


def test_a_forged_or_foreign_token_brings_nothing(client, app):
    other_server = KeptUploads(app.config["UPLOAD_FOLDER"], "another-secret")
    [foreign] = other_server.keep([upload(PDF_BYTES, "theirs.pdf")])
    response = post(
        client, {**appeal_data(), "kept_attachments": [foreign.token, "nonsense", "x" * 2000]}
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Attachment)).all() == []


def test_the_same_token_twice_attaches_the_file_once(client):
    refused = post(client, appeal_data(subject=""), files=[(PDF_BYTES, "scan.pdf")])
    [token] = kept_tokens(refused.get_data(as_text=True))
    assert post(client, {**appeal_data(), "kept_attachments": [token, token]}).status_code == 302
    assert len(db.session.scalars(select(Attachment)).all()) == 1


def test_kept_files_count_against_the_limit(client):
    refused = post(
        client,
        appeal_data(subject=""),
        files=[(PDF_BYTES + bytes([i]), f"{i}.pdf") for i in range(5)],
    )
    tokens = kept_tokens(refused.get_data(as_text=True))
    assert len(tokens) == 5
    again = post(
        client, {**appeal_data(), "kept_attachments": tokens}, files=[(PDF_BYTES, "sixth.pdf")]
    )
    assert again.status_code == 422
    assert "Attach at most 5 files." in again.get_data(as_text=True)
    # All six wait for the next try, so that the citizen can untick one.
    assert len(kept_tokens(again.get_data(as_text=True))) == 6


def test_files_nobody_came_back_for_are_swept_after_a_day(app, tmp_path):
    clock = [time.time()]
    store = KeptUploads(tmp_path, "secret", now=lambda: clock[0])
    [old] = store.keep([upload(PDF_BYTES, "old.pdf")])
    old_path = next((tmp_path / "pending").glob("*"))
    stamp = clock[0] - KEEP_SECONDS - 60
    os.utime(old_path, (stamp, stamp))
    store.keep([upload(PDF_BYTES, "new.pdf")])
    assert not old_path.exists() and len(list((tmp_path / "pending").glob("*"))) == 1
    assert store.restore([old.token]) == ([], [])


def test_sizes_are_shown_in_the_readers_language(client):
    client.get("/lang/ru")
    refused = post(client, appeal_data(subject=""), files=[(PDF_BYTES * 100, "scan.pdf")])
    assert "(4 КБ)" in refused.get_data(as_text=True)
