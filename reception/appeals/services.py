"""Use-cases of the citizen's side: the only code that writes appeals."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.appeals.access import hash_access_code
from reception.appeals.events import record_event
from reception.appeals.models import Appeal, Attachment, CoApplicant, RegistrationCounter
from reception.appeals.publishing import published_subject
from reception.appeals.repeats import find_repeat_of
from reception.appeals.submission import Limits, Submission, check_submission
from reception.core.files import AttachmentStore, display_name, sniff_content_type
from reception.core.law import term_rules
from reception.core.refusals import Refused
from reception.directory import queries as directory
from reception.directory.models import Authority, Category, Region
from reception.directory.queries import get_calendar
from reception.domain.deadlines import TermRules, due_date, registration_date
from reception.domain.identifiers import format_registration_number, generate_access_code
from reception.domain.similarity import normalise
from reception.domain.workflow import INITIAL_STATUS, AppealKind, Channel, Role
from reception.notifications import emails


@dataclass(frozen=True)
class FilingSettings:
    number_prefix: str
    country: str
    rules: TermRules
    limits: Limits
    base_url: str
    repeat_months: int = 12

    @classmethod
    def from_config(cls, config: Mapping) -> FilingSettings:
        return cls(
            number_prefix=config["RECEPTION_NUMBER_PREFIX"],
            country=config["RECEPTION_COUNTRY"],
            rules=term_rules(config),
            limits=Limits(
                max_subject=config["MAX_SUBJECT_LENGTH"],
                max_text=config["MAX_TEXT_LENGTH"],
                max_attachments=config["MAX_ATTACHMENTS"],
                max_attachment_bytes=config["MAX_ATTACHMENT_BYTES"],
                max_co_applicants=config.get("RECEPTION_MAX_CO_APPLICANTS", 50),
            ),
            base_url=config["RECEPTION_BASE_URL"],
            repeat_months=config.get("RECEPTION_REPEAT_MONTHS", 12),
        )


class AlreadyFiled(Exception):
    """This form was sent before and registered this appeal."""

    def __init__(self, appeal_id: int, number: str, received_at: datetime | None = None):
        super().__init__(number)
        self.appeal_id = appeal_id
        self.number = number
        self.received_at = received_at


def submission_key_hash(submission_key: str) -> str:
    """What is stored of a form's submission key: a SHA-256 (the key has 192 random bits).

    Whoever reads the table cannot send the form again as its sender.
    """
    return hashlib.sha256(submission_key.encode("utf-8")).hexdigest()


def find_submission(session: Session, submission_key: str | None) -> AlreadyFiled | None:
    """The appeal a form with this key registered, if any."""
    if not submission_key:
        return None
    row = session.execute(
        select(Appeal.id, Appeal.number, Appeal.received_at).where(
            Appeal.submission_key == submission_key_hash(submission_key)
        )
    ).first()
    return AlreadyFiled(row.id, row.number, row.received_at) if row else None


@dataclass(frozen=True)
class FiledAppeal:
    appeal: Appeal
    access_code: str  # shown once on the receipt and in the e-mail; only its hash is kept


def next_sequence(session: Session, year: int) -> int:
    """Take the next number of the year under a row lock: unique and gap-free.

    The counter row stays locked until the filing transaction ends, so concurrent
    filings queue here, and a rolled-back filing gives its number back.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(RegistrationCounter)
        .values(year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    return session.execute(
        update(RegistrationCounter)
        .where(RegistrationCounter.year == year)
        .values(last_value=RegistrationCounter.last_value + 1)
        .returning(RegistrationCounter.last_value)
    ).scalar_one()


@dataclass(frozen=True)
class Chosen:
    """The reference rows a submission names, when they exist (and are active)."""

    category: Category | None
    region: Region | None
    addressee: Authority | None


# The channels an operator files through for a person; e-mail is optional on them.
OPERATOR_CHANNELS = (Channel.paper, Channel.phone, Channel.in_person)


def validate_submission(
    session: Session, sub: Submission, settings: FilingSettings, *, channel: str = Channel.web
) -> Chosen:
    """Raise Refused with every problem of the submission; else return its rows.

    Only the codes the submission names are looked up, not every code there is.
    """
    chosen = Chosen(
        category=directory.get_category(session, sub.category) if sub.category else None,
        region=directory.get_region(session, sub.region) if sub.region else None,
        addressee=directory.get_authority(session, sub.authority) if sub.authority else None,
    )
    errors = check_submission(
        sub,
        settings.limits,
        {sub.category} if chosen.category else set(),
        {sub.region} if chosen.region else set(),
        {sub.authority} if chosen.addressee else set(),
        email_optional=channel in OPERATOR_CHANNELS,
    )
    if errors:
        raise Refused.fields(errors)
    return chosen


def file_appeal(
    session: Session,
    sub: Submission,
    *,
    now: datetime,
    actor: User | None,
    settings: FilingSettings,
    store: AttachmentStore,
    channel: str = Channel.web,
    parent: Appeal | None = None,
    screening: dict | None = None,
    api_key_id: int | None = None,
    submission_key: str | None = None,
    term_days: int | None = None,
) -> FiledAppeal:
    """Register an appeal: number, dates, routing, attachments, history and e-mail.

    Everything is added to the session; the caller commits once. A form sent again with
    the same `submission_key` raises AlreadyFiled instead of registering a second appeal.
    """
    earlier = find_submission(session, submission_key)
    if earlier is not None:
        raise earlier
    chosen = validate_submission(session, sub, settings, channel=channel)
    category, region, addressee = chosen.category, chosen.region, chosen.addressee
    authority = addressee or directory.route_appeal(session, category, region)
    if authority is None:
        # Accepting is mandatory (Art. 64): a missing routing rule is our defect, not the
        # citizen's; the reference data always has a global fallback, so this is a setup error.
        raise RuntimeError(f"no routing rule for {category.code} in {region.code}")

    calendar = get_calendar(session, settings.country)
    registered_on = registration_date(now, settings.rules, calendar)
    # `term_days` given: a complaint's first stage at the body that answered (Art. 91-100).
    term_days = term_days or (
        category.default_term_days if sub.kind != AppealKind.complaint else None
    )
    due_on = (
        calendar.add_working_days(registered_on, term_days)
        if term_days
        else due_date(registered_on, sub.kind, settings.rules, calendar)
    )

    year = registered_on.year
    sequence = next_sequence(session, year)
    access_code = generate_access_code()
    is_citizen = actor is not None and actor.role == Role.citizen
    appeal = Appeal(
        number=format_registration_number(settings.number_prefix, year, sequence),
        year=year,
        sequence=sequence,
        kind=sub.kind,
        status=INITIAL_STATUS,
        channel=channel,
        language=sub.language,
        category=category,
        region=region,
        authority=authority,
        addressee=addressee,
        citizen=actor if is_citizen else None,
        registered_by=actor if actor is not None and not is_citizen else None,
        parent=parent,
        api_key_id=api_key_id,
        submission_key=submission_key_hash(submission_key) if submission_key else None,
        subject=sub.subject,
        text=sub.text,
        similarity_text=normalise(sub.subject, sub.text),
        applicant_type=sub.applicant_type,
        full_name=sub.full_name,
        iin=sub.iin or None,
        email=sub.email,
        phone=sub.phone,
        address=sub.address,
        publish_consent=sub.publish_consent,
        access_code_hash=hash_access_code(access_code),
        received_at=now,
        registered_on=registered_on,
        due_on=due_on,
        updated_at=now,
    )
    for position, entry in enumerate(sub.co_applicants, start=1):
        appeal.co_applicants.append(
            CoApplicant(
                position=position,
                full_name=entry.full_name,
                email=entry.email or None,
                iin=entry.iin or None,
                phone=entry.phone,
                address=entry.address,
            )
        )
    appeal.published_subject = published_subject(appeal)
    appeal.repeat_of = find_repeat_of(session, appeal, now=now, months=settings.repeat_months)
    session.add(appeal)
    event = record_event(
        session,
        appeal,
        "register",
        now=now,
        actor=actor,
        from_status=None,
        public=True,
        data={
            "authority": authority.code,
            "due_on": due_on.isoformat(),
            "channel": channel,
            **(screening or {}),
        },
    )
    for upload in sub.uploads:
        content_type = sniff_content_type(upload.content)
        stored_name, sha256 = store.save(upload.content)
        session.add(
            Attachment(
                appeal=appeal,
                original_name=display_name(upload.filename, content_type),
                stored_name=stored_name,
                content_type=content_type,
                size=len(upload.content),
                sha256=sha256,
                created_at=now,
            )
        )
    session.flush()
    event.appeal_id = appeal.id
    emails.appeal_registered(session, appeal, access_code, base_url=settings.base_url, now=now)
    return FiledAppeal(appeal=appeal, access_code=access_code)
