"""What a citizen submits, and the checks it must pass wherever it comes from."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from email_validator import EmailNotValidError, validate_email

from reception.appeals.attachments import Upload, sniff_content_type
from reception.appeals.models import KINDS
from reception.core import inputs
from reception.core.i18n import lazy_gettext as _l
from reception.domain.identifiers import iin_problem

LANGUAGES = ("kk", "ru", "en")
APPLICANT_TYPES = ("person", "organisation")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")


def clean_text(value: object) -> str:
    """Trim and drop control characters and lone surrogates (keeps line breaks and tabs;
    browsers count a line break as one character but send it as CR LF, kept as LF)."""
    return inputs.clean_text(value)


@dataclass
class Submission:
    kind: str = ""
    category: str = ""
    region: str = ""
    authority: str = ""
    subject: str = ""
    text: str = ""
    applicant_type: str = "person"
    full_name: str = ""
    iin: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    language: str = ""
    publish_consent: bool = False
    uploads: list[Upload] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: Mapping, uploads: Sequence[Upload] = ()) -> Submission:
        """Build from form or API data; every text field is cleaned the same way."""
        texts = {name: clean_text(data.get(name)) for name in TEXT_FIELDS}
        texts["iin"] = re.sub(r"\s", "", texts["iin"])
        texts["applicant_type"] = texts["applicant_type"] or "person"
        consent = data.get("publish_consent")
        return cls(
            **texts,
            publish_consent=consent in (True, "y", "yes", "on", "true", "1", 1),
            uploads=list(uploads),
        )


# Every field of Submission that holds text (all but the consent flag and the files).
TEXT_FIELDS = tuple(
    f.name for f in fields(Submission) if f.name not in ("publish_consent", "uploads")
)


@dataclass(frozen=True)
class Limits:
    max_subject: int = 300
    max_text: int = 10_000
    max_name: int = 300
    max_address: int = 500
    max_attachments: int = 5
    max_attachment_bytes: int = 10 * 1024 * 1024


REQUIRED = _l("This field is required.")


def _too_long(limit: int):
    return _l("Please shorten this to %(n)d characters or fewer.", n=limit)


def check_submission(
    sub: Submission,
    limits: Limits,
    known_categories: set[str],
    known_regions: set[str],
    known_authorities: set[str],
    *,
    email_optional: bool = False,
) -> dict[str, object]:
    """Return {field: message} for every problem; an empty dict means it may be filed.

    `email_optional`: an operator files for a person who phoned, wrote or came in, and
    who may have no e-mail; the answer then goes by post or is read out by phone."""
    errors: dict[str, object] = {}

    if sub.kind not in KINDS:
        errors["kind"] = _l("Choose the kind of appeal.")
    if sub.category not in known_categories:
        errors["category"] = _l("Choose a category from the list.")
    if sub.region not in known_regions:
        errors["region"] = _l("Choose a region from the list.")
    if sub.authority and sub.authority not in known_authorities:
        errors["authority"] = _l("Choose a state body from the list, or leave it to the system.")
    if sub.language not in LANGUAGES:
        errors["language"] = _l("Choose the language of the answer.")
    if sub.applicant_type not in APPLICANT_TYPES:
        errors["applicant_type"] = _l("Choose whether you write as a person or an organisation.")

    for name, limit in (
        ("subject", limits.max_subject),
        ("text", limits.max_text),
        ("full_name", limits.max_name),
        ("address", limits.max_address),
    ):
        value = getattr(sub, name)
        if not value:
            errors[name] = REQUIRED
        elif len(value) > limit:
            errors[name] = _too_long(limit)

    if sub.iin or sub.applicant_type == "organisation":
        problem = iin_problem(sub.iin)
        if problem == "format" or problem == "length":
            errors["iin"] = (
                _l("The BIN has 12 digits.")
                if sub.applicant_type == "organisation"
                else _l("The IIN has 12 digits.")
            )
        elif problem == "checksum":
            errors["iin"] = _l(
                "This number does not pass the check digit test. Please check each digit."
            )
        elif problem:
            errors["iin"] = REQUIRED

    if not sub.email:
        if not email_optional:
            errors["email"] = _l("Enter an e-mail address: the answer and notices are sent there.")
    else:
        try:
            sub.email = validate_email(sub.email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = _l("Enter an e-mail address like name@example.kz.")
        if len(sub.email) > 254:
            errors["email"] = _too_long(254)

    if sub.phone and not _PHONE.match(sub.phone):
        errors["phone"] = _l("Enter a phone number like +7 701 234 56 78.")

    attachment_error = check_uploads(sub.uploads, limits)
    if attachment_error:
        errors["attachments"] = attachment_error
    return errors


def check_uploads(uploads: Sequence[Upload], limits: Limits):
    """Return a message for the first problem with the files, or None."""
    if len(uploads) > limits.max_attachments:
        return _l("Attach at most %(n)d files.", n=limits.max_attachments)
    megabytes = limits.max_attachment_bytes // (1024 * 1024)
    for upload in uploads:
        if not upload.content:
            return _l("The file %(name)s is empty.", name=upload.filename)
        if len(upload.content) > limits.max_attachment_bytes:
            return _l(
                "The file %(name)s is larger than %(mb)d MB.", name=upload.filename, mb=megabytes
            )
        if sniff_content_type(upload.content) is None:
            return _l("The file %(name)s is not a PDF, JPEG or PNG file.", name=upload.filename)
    return None
