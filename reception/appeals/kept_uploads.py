"""Files a citizen attached to a form that came back with an error, kept for the correction.

A browser cannot put chosen files back into a re-shown form, so the server keeps the good
ones for a day under random names in a `pending` folder beside the attachments. The form
carries a signed token for each; only a token this server signed, for a file that is
still there, brings a file back. Files nobody came back for are swept away after a day
whenever new ones are kept.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from reception.core.files import Upload

SALT = "reception.kept-upload"
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class KeptFile:
    token: str
    filename: str
    size: int


class KeptUploads:
    def __init__(self, upload_folder: Path | str, secret_key: str, *, now=time.time):
        self.folder = Path(upload_folder) / "pending"
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self._now = now

    def keep(self, uploads: list[Upload]) -> list[KeptFile]:
        """Store these files for a day and return a token for each."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sweep()
        kept = []
        for upload in uploads:
            name = secrets.token_hex(16)
            with open(self.folder / name, "xb") as handle:
                handle.write(upload.content)
            token = self._serializer.dumps({"n": name, "f": upload.filename[:255]})
            kept.append(KeptFile(token, upload.filename, len(upload.content)))
        return kept

    def _read_token(self, token: str) -> tuple[Path, str] | None:
        if not isinstance(token, str) or len(token) > 1000:
            return None
        try:
            data = self._serializer.loads(token, max_age=KEEP_SECONDS)
        except BadSignature:  # also an expired token
            return None
        name = data.get("n", "") if isinstance(data, dict) else ""
        if not (isinstance(name, str) and len(name) == 32 and name.isalnum()):
            return None
        path = self.folder / name
        return (path, str(data.get("f", ""))) if path.is_file() else None

    def restore(self, tokens: list[str]) -> tuple[list[Upload], list[KeptFile]]:
        """The files behind the valid tokens (as uploads, and as shown in the form)."""
        uploads, kept = [], []
        for token in dict.fromkeys(tokens):  # the same file once, however often it is sent
            found = self._read_token(token)
            if found is None:
                continue
            path, filename = found
            content = path.read_bytes()
            uploads.append(Upload(filename=filename, content=content))
            kept.append(KeptFile(token, filename, len(content)))
        return uploads, kept

    def discard(self, tokens: list[str]) -> None:
        """Remove the files once the appeal holds its own copies."""
        for token in tokens:
            found = self._read_token(token)
            if found is not None:
                found[0].unlink(missing_ok=True)

    def sweep(self) -> int:
        """Remove kept files older than a day; return how many."""
        removed = 0
        limit = self._now() - KEEP_SECONDS
        for path in self.folder.glob("*"):
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # another process swept it first
                continue
        return removed
