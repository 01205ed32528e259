"""What a browser's session keeps of the forms it sent: never a secret in clear.

Flask's session cookie is signed, not encrypted: anyone who sees the cookie (a shared
computer, a proxy's log, a browser extension) reads what is in it. So it holds

- the access code of a just-filed appeal only encrypted (with a key derived from
  SECRET_KEY) and for RECEIPT_CODE_SECONDS, so that the receipt can show it;
- of each appeal form this browser was given, only a one-way mark of its submission key,
  so that a form sent again shows the receipt to this browser and to no other.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session

_RECEIPTS_KEY = "receipts"
_FORM_KEYS_KEY = "form_keys"
_MAX_RECEIPTS = 5
_MAX_FORM_KEYS = 10
# How long the receipt shows the access code after filing (it is also in the e-mail).
RECEIPT_CODE_SECONDS = 30 * 60


def _fernet() -> Fernet:
    digest = hashlib.sha256(
        b"reception.receipt-code.v1:" + current_app.config["SECRET_KEY"].encode("utf-8")
    ).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def remember_access_code(number: str, access_code: str) -> None:
    """Keep the access code, encrypted, to show it on this browser's receipt."""
    receipts = dict(session.get(_RECEIPTS_KEY) or {})
    receipts.pop(number, None)
    receipts[number] = _fernet().encrypt(access_code.encode("ascii")).decode("ascii")
    session[_RECEIPTS_KEY] = dict(list(receipts.items())[-_MAX_RECEIPTS:])


def access_code_to_show(number: str) -> str | None:
    """The access code of a receipt, while it is fresh; None after that."""
    receipts = session.get(_RECEIPTS_KEY)
    token = receipts.get(number) if isinstance(receipts, dict) else None
    if not isinstance(token, str):
        return None
    try:
        return _fernet().decrypt(token.encode("ascii"), ttl=RECEIPT_CODE_SECONDS).decode("ascii")
    except (InvalidToken, UnicodeError):
        return None


def _form_mark(submission_key: str) -> str:
    return hashlib.sha256(b"reception.form-key:" + submission_key.encode("utf-8")).hexdigest()[:32]


def remember_form_key(submission_key: str) -> None:
    """Note that this browser was given the form with this key."""
    marks = [m for m in session.get(_FORM_KEYS_KEY) or [] if isinstance(m, str)]
    session[_FORM_KEYS_KEY] = [*marks, _form_mark(submission_key)][-_MAX_FORM_KEYS:]


def sent_from_this_browser(submission_key: str) -> bool:
    marks = session.get(_FORM_KEYS_KEY) or []
    return isinstance(marks, list) and _form_mark(submission_key) in marks


def may_show_receipt_again(
    submission_key: str, received_at: datetime | None, *, now: datetime, within: timedelta
) -> bool:
    """A form sent again shows the first filing's receipt only to the browser that was
    given the form, and only for a while: the key alone gives no access to the appeal."""
    return (
        sent_from_this_browser(submission_key)
        and received_at is not None
        and timedelta(0) <= now - received_at <= within
    )
