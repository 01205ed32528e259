"""Attachments: recognised by their bytes, not their names, and stored privately."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reception.core.database import database_unavailable

# Magic numbers of the accepted formats; a renamed .exe is none of them.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the citizen's device gave and its bytes."""

    filename: str
    content: bytes


def read_uploads(files, limit: int) -> list[Upload]:
    """Read uploaded files (Werkzeug FileStorage), each at most one byte past the limit.

    One byte more than allowed is enough to know a file is too large without keeping it.
    """
    return [
        Upload(filename=f.filename, content=f.stream.read(limit + 1))
        for f in files
        if f and f.filename
    ]


def sniff_content_type(content: bytes) -> str | None:
    """Return the MIME type recognised from the first bytes, or None."""
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    return None


def display_name(filename: str, content_type: str) -> str:
    """Make a safe name to show and offer on download (no paths, no control characters)."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    name = name.strip(" .") or "attachment"
    stem, ext = os.path.splitext(name)
    expected = EXTENSIONS[content_type]
    if ext.lower() not in {expected, ".jpeg"} or not stem:
        name = (stem or "attachment") + expected
    return name[-200:]


@dataclass
class AttachmentStore:
    """Files under a private folder; new files are removed again if the change fails."""

    folder: Path
    _written: list[Path] = field(default_factory=list)

    def save(self, content: bytes) -> tuple[str, str]:
        """Write the bytes under a random name; return (stored name, sha256)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stored_name = secrets.token_hex(16)
        path = self.folder / stored_name
        with open(path, "xb") as handle:
            handle.write(content)
        self._written.append(path)
        return stored_name, hashlib.sha256(content).hexdigest()

    def path_of(self, stored_name: str) -> Path:
        if not stored_name.isalnum():
            raise ValueError("bad stored name")
        return self.folder / stored_name

    @contextmanager
    def guard(self):
        """Remove the files written inside the block if the block fails.

        Except when the database connection died: a COMMIT may have reached the server
        before its answer was lost, and a row without its file is worse than a file without
        a row (harmless, see docs/deployment.md).
        """
        start = len(self._written)
        try:
            yield self
        except BaseException as error:
            if not database_unavailable(error):
                for path in self._written[start:]:
                    path.unlink(missing_ok=True)
            del self._written[start:]
            raise
