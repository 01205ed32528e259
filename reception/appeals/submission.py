"""What a citizen submits, and the checks it must pass wherever it comes from."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from email_validator import EmailNotValidError, validate_email

from reception.core import inputs
from reception.core.files import Upload, sniff_content_type
from reception.core.i18n import lazy_gettext as _l
from reception.domain.identifiers import iin_problem
from reception.domain.workflow import LANGUAGES, AppealKind

APPLICANT_TYPES = ("person", "organisation")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")


def clean_text(value: object) -> str:
    """Trim and drop control characters and lone surrogates (keeps line breaks and tabs;
    browsers count a line break as one character but send it as CR LF, kept as LF)."""
    return inputs.clean_text(value)


CO_APPLICANT_FIELDS = ("full_name", "iin", "email", "phone", "address")
_CO_KEY = re.compile(r"^co_applicants-(\d{1,4})-(full_name|iin|email|phone|address)$")


@dataclass
class CoApplicantEntry:
    """One more signer of a collective appeal (Art. 22), as typed in row `position`."""

    full_name: str = ""
    iin: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    row: int = 0  # the row it was typed in: errors are shown there

    def is_blank(self) -> bool:
        return not any(getattr(self, name) for name in CO_APPLICANT_FIELDS)


def co_applicants_from_mapping(data: Mapping) -> list[CoApplicantEntry]:
    """Rows named `co_applicants-N-field` (forms) or a list of objects under
    `co_applicants` (JSON); blank rows are dropped, the order kept."""
    rows: dict[int, dict[str, str]] = {}
    listed = data.get("co_applicants")
    if isinstance(listed, list):
        for index, item in enumerate(listed[:10_000]):
            if isinstance(item, Mapping):
                rows[index] = {n: item.get(n) for n in CO_APPLICANT_FIELDS}
    for key in list(data.keys()):
        match = _CO_KEY.match(str(key))
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = data.get(key)
    entries = []
    for index in sorted(rows):
        entry = CoApplicantEntry(**{n: clean_text(rows[index].get(n)) for n in CO_APPLICANT_FIELDS})
        entry.iin = re.sub(r"\s", "", entry.iin)
        entry.row = index
        if not entry.is_blank():
            entries.append(entry)
    return entries


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
    co_applicants: list[CoApplicantEntry] = field(default_factory=list)

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
            co_applicants=co_applicants_from_mapping(data),
        )


# Every field of Submission that holds text (all but the consent flag and the files).
TEXT_FIELDS = tuple(
    f.name
    for f in fields(Submission)
    if f.name not in ("publish_consent", "uploads", "co_applicants")
)


@dataclass(frozen=True)
class Limits:
    max_subject: int = 300
    max_text: int = 10_000
    max_name: int = 300
    max_address: int = 500
    max_attachments: int = 5
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_co_applicants: int = 50


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

    if sub.kind not in tuple(AppealKind):
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
        problem = _iin_message(sub.iin, sub.applicant_type == "organisation")
        if problem:
            errors["iin"] = problem

    if not sub.email:
        if not email_optional:
            errors["email"] = _l("Enter an e-mail address: the answer and notices are sent there.")
    else:
        sub.email, problem = _email_problem(sub.email)
        if problem:
            errors["email"] = problem

    if sub.phone and not _PHONE.match(sub.phone):
        errors["phone"] = _l("Enter a phone number like +7 701 234 56 78.")

    errors.update(check_co_applicants(sub.co_applicants, limits))

    attachment_error = check_uploads(sub.uploads, limits)
    if attachment_error:
        errors["attachments"] = attachment_error
    return errors


def _iin_message(iin: str, organisation: bool = False):
    problem = iin_problem(iin)
    if problem == "format" or problem == "length":
        return _l("The BIN has 12 digits.") if organisation else _l("The IIN has 12 digits.")
    if problem == "checksum":
        return _l("This number does not pass the check digit test. Please check each digit.")
    return REQUIRED if problem else None


def _email_problem(email: str):
    """(the normalised address, a message or None)."""
    problem = None
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        problem = _l("Enter an e-mail address like name@example.kz.")
    if len(email) > 254:
        problem = _too_long(254)
    return email, problem


def check_co_applicants(entries: Sequence[CoApplicantEntry], limits: Limits) -> dict:
    """{`co_applicants-N-field`: message} for each problem of the co-applicants' rows
    (N is the row it was typed in), and `co_applicants` when there are too many."""
    errors: dict[str, object] = {}
    if len(entries) > limits.max_co_applicants:
        errors["co_applicants"] = _l(
            "A collective appeal may name at most %(n)d co-applicants.", n=limits.max_co_applicants
        )
    for entry in entries:
        prefix = f"co_applicants-{entry.row}-"
        if not entry.full_name:
            errors[prefix + "full_name"] = REQUIRED
        elif len(entry.full_name) > limits.max_name:
            errors[prefix + "full_name"] = _too_long(limits.max_name)
        if len(entry.address) > limits.max_address:
            errors[prefix + "address"] = _too_long(limits.max_address)
        if entry.iin:
            problem = _iin_message(entry.iin)
            if problem:
                errors[prefix + "iin"] = problem
        if entry.email:
            entry.email, problem = _email_problem(entry.email)
            if problem:
                errors[prefix + "email"] = problem
        if entry.phone and not _PHONE.match(entry.phone):
            errors[prefix + "phone"] = _l("Enter a phone number like +7 701 234 56 78.")
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
