"""Open311 GeoReport v2: services are categories, requests are appeals.

GET answers never carry personal data: no name, IIN, e-mail, phone or address, and for
appeals other than the key's own only the published (redacted) subject stands for the
description. Without a
key only appeals published with the applicant's consent are listed; with a key, also the
requests that key filed.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import Row, bindparam, or_, select
from sqlalchemy.exc import IntegrityError

from reception.api import idempotency, schemas
from reception.api.auth import current_api_key, rate_limit_key
from reception.api.formats import errors, respond
from reception.appeals.models import Appeal, AppealEvent
from reception.appeals.services import file_appeal
from reception.appeals.submission import Submission
from reception.core import paging
from reception.core.caching import MemoryPageCache
from reception.core.database import KeyRead, plain_connection
from reception.core.errors import register_error_renderer
from reception.core.i18n import current_locale
from reception.core.inputs import InputError, known_args, parse_moment
from reception.core.labels import EVENT_LABELS, KIND_LABELS, LANGUAGE_LABELS
from reception.core.refusals import Refused
from reception.core.types import utcnow
from reception.core.web import attachment_store, current_settings, perform
from reception.directory import queries as directory
from reception.directory.models import Authority, Category
from reception.domain.deadlines import zone_info
from reception.domain.identifiers import normalize_registration_number
from reception.domain.workflow import FINAL_STATUSES, LANGUAGES, Channel
from reception.extensions import csrf, db, limiter

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")


def _error_in_open311_format(code: int, message):
    """Every error under /open311/ (an unknown address too) in Open311's own format."""
    return errors("xml" if request.path.endswith(".xml") else "json", code, message)


register_error_renderer(bp, _error_in_open311_format, prefix="/open311/")
csrf.exempt(bp)
# Every read shares one count per API key that checks out, or per client address.
read_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_OPEN311_READ"],
    scope="open311-read",
    key_func=rate_limit_key,
)
write_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_OPEN311_WRITE"], key_func=rate_limit_key
)

FMT = "<any(json, xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+05:00"
MAX_DESCRIPTION = 4_000
MAX_WINDOW = timedelta(days=90)
# Newest first; the index on (received_at) serves it, the id breaks ties.
LIST_ORDER = paging.Keyset(
    (
        paging.Key(Appeal.received_at, "moment", descending=True),
        paging.Key(Appeal.id, "int", descending=True),
    )
)
# The list's parameters that its next link carries on (page is replaced by after).
# The key is left out: a response header is logged in more places than the request's address,
# and the cursor grants nothing by itself (the client adds its own key to follow the link).
LIST_PARAMS = (
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page_size",
    "extensions",
    "locale",
)
_URL = re.compile(r"^https?://[^\s<>\"']{1,490}$")


def _zone():
    return zone_info(current_app.config["RECEPTION_TIMEZONE"])


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(_zone()).isoformat(timespec="seconds") if moment else None


def _expected(appeal: Appeal) -> str:
    """The due date as a moment: the end of that working day where the body works."""
    hours, minutes = (int(p) for p in current_app.config["RECEPTION_WORKDAY_CUTOFF"].split(":"))
    return datetime.combine(appeal.due_on, time(hours, minutes), _zone()).isoformat()


def _notice(appeal: Appeal) -> str:
    return _(
        "Registered as %(number)s. The answer is due by %(date)s.",
        number=appeal.number,
        date=format_date(appeal.due_on, "long"),
    )


@bp.route(f"/discovery.{FMT}")
@read_limit
def discovery(fmt: str):
    base = current_app.config["RECEPTION_BASE_URL"]
    return respond(
        fmt,
        "discovery",
        schemas.Discovery(
            changeset=CHANGESET,
            contact=_("Online reception: %(url)s", url=base),
            key_service=_("API keys are issued by the administrators of this reception."),
            endpoints=[
                schemas.DiscoveryEndpoint(
                    specification=SPECIFICATION,
                    url=f"{base}/open311/v2",
                    changeset=CHANGESET,
                    type="production",
                    formats=["application/json", "text/xml"],
                )
            ],
        ),
    )


def _service(category: Category, locale: str) -> schemas.Service:
    return schemas.Service(
        service_code=category.code,
        service_name=category.name(locale),
        description=category.name(locale),
        metadata=True,
        type="realtime",
        keywords="",
        group="",
    )


@bp.route(f"/services.{FMT}")
@read_limit
def services(fmt: str):
    locale = current_locale()
    return respond(
        fmt, "services", [_service(c, locale) for c in directory.list_categories(db.session)]
    )


@bp.route(f"/services/<service_code>.{FMT}")
@read_limit
def service_definition(service_code: str, fmt: str):
    category = directory.get_category(db.session, service_code)
    if category is None:
        return errors(fmt, 404, _("Unknown service_code."))
    locale = current_locale()
    regions = directory.list_regions(db.session)

    def attribute(order, code, datatype, required, description, values=()):
        return schemas.ServiceAttribute(
            variable=True,
            code=code,
            datatype=datatype,
            required=required,
            datatype_description="",
            order=order,
            description=str(description),
            values=[schemas.AttributeValue(key=key, name=str(name)) for key, name in values],
        )

    return respond(
        fmt,
        "service_definition",
        schemas.ServiceDefinition(
            service_code=category.code,
            attributes=[
                attribute(
                    1,
                    "region",
                    "singlevaluelist",
                    True,
                    _("Region"),
                    [(r.code, r.name(locale)) for r in regions],
                ),
                attribute(
                    2, "kind", "singlevaluelist", False, _("Kind of appeal"), KIND_LABELS.items()
                ),
                attribute(
                    3,
                    "iin",
                    "string",
                    False,
                    _("IIN of the applicant, or BIN of an organisation (12 digits)"),
                ),
                attribute(
                    4,
                    "language",
                    "singlevaluelist",
                    False,
                    _("Language of the answer"),
                    LANGUAGE_LABELS.items(),
                ),
            ],
        ),
    )


# A service request is read as one row of plain columns (the appeal with its category and
# authority joined), never as ORM objects: these are the busiest public reads, and the
# statements are built once, so SQLAlchemy neither rebuilds nor re-keys them per request.
_REQUEST_COLUMNS = (
    Appeal.id,
    Appeal.number,
    Appeal.version,
    Appeal.status,
    Appeal.published_subject,
    Appeal.text,
    Appeal.api_key_id,
    Appeal.received_at,
    Appeal.updated_at,
    Appeal.due_on,
    Category.code.label("service_code"),
    *(getattr(Category, f"name_{code}").label(f"service_{code}") for code in LANGUAGES),
    *(getattr(Authority, f"name_{code}").label(f"agency_{code}") for code in LANGUAGES),
    # The latest public event gives status_notes.
    select(AppealEvent.action)
    .where(AppealEvent.appeal_id == Appeal.id, AppealEvent.is_public)
    .order_by(AppealEvent.id.desc())
    .limit(1)
    .correlate(Appeal)
    .scalar_subquery()
    .label("latest_action"),
)


def _requests():
    """The columns of service requests, with the category and the authority joined."""
    return (
        select(*_REQUEST_COLUMNS)
        .join(Category, Appeal.category_id == Category.id)
        .join(Authority, Appeal.authority_id == Authority.id)
    )


_BY_NUMBER = Appeal.number == bindparam("number")
_PUBLISHED_BY_NUMBER = _requests().where(Appeal.publish_consent, _BY_NUMBER)
# The version of a published request: the key of its kept answer (_kept_answers).
_PUBLISHED_VERSION_BY_NUMBER = KeyRead(
    select(Appeal.id, Appeal.version).where(Appeal.publish_consent, _BY_NUMBER)
)
_PUBLISHED_OR_KEYS_BY_NUMBER = _requests().where(
    or_(Appeal.publish_consent, Appeal.api_key_id == bindparam("key_id")), _BY_NUMBER
)
_PUBLIC_NOTES = (
    select(AppealEvent.appeal_id, AppealEvent.action, AppealEvent.created_at)
    .where(AppealEvent.appeal_id.in_(bindparam("ids", expanding=True)), AppealEvent.is_public)
    .order_by(AppealEvent.appeal_id, AppealEvent.id)
)


def _rows(statement, parameters=None):
    """Run a statement of plain columns on the session's connection: the ORM layer would
    only add work, since no objects are loaded."""
    return db.session.connection().execute(statement, parameters)


def _name(row: Row, prefix: str, locale: str) -> str:
    """A name in the reader's language, English when it has none (as TranslatedName)."""
    return getattr(row, f"{prefix}_{locale}", None) or getattr(row, f"{prefix}_en")


def _request_view(
    row: Row, notes: list[Row] | None, *, own: bool, locale: str
) -> schemas.ServiceRequest:
    """One service request from a row of _requests(); with `notes` (its public events, for
    extensions=true) they are listed too."""
    return schemas.ServiceRequest(
        service_request_id=row.number,
        status="closed" if row.status in FINAL_STATUSES else "open",
        status_notes=str(EVENT_LABELS.get(row.latest_action, "")) if row.latest_action else "",
        service_name=_name(row, "service", locale),
        service_code=row.service_code,
        # Another's request shows only the published (redacted) subject, never the original.
        description=row.text if own else (row.published_subject or ""),
        agency_responsible=_name(row, "agency", locale),
        service_notice=_notice(row),
        requested_datetime=_iso(row.received_at),
        updated_datetime=_iso(row.updated_at),
        expected_datetime=_expected(row),
        address=None,
        address_id=None,
        zipcode=None,
        lat=None,
        long=None,
        media_url=None,
        notes=None
        if notes is None
        else [
            schemas.RequestNote(
                datetime=_iso(note.created_at),
                description=str(EVENT_LABELS.get(note.action, "")),
                type=note.action,
            )
            for note in notes
        ],
    )


def _public_notes(appeal_ids: list[int]) -> dict[int, list[Row]]:
    """The public events of these appeals in order, as rows (appeal_id, action, created_at)."""
    notes: dict[int, list[Row]] = {appeal_id: [] for appeal_id in appeal_ids}
    if appeal_ids:
        for note in _rows(_PUBLIC_NOTES, {"ids": appeal_ids}):
            notes[note.appeal_id].append(note)
    return notes


def _visible(query, key):
    if key is None:
        return query.where(Appeal.publish_consent)
    return query.where(or_(Appeal.publish_consent, Appeal.api_key_id == key.id))


@bp.route(f"/requests.{FMT}", methods=["GET"])
@read_limit
def list_requests(fmt: str):
    params = schemas.RequestListQuery.model_validate(request.args.to_dict())
    key = current_api_key(params.api_key)
    query = _visible(_requests(), key)
    if params.service_request_id:
        numbers = [
            n
            for n in (normalize_registration_number(i) for i in params.service_request_id[:100])
            if n
        ]
        query = query.where(Appeal.number.in_(numbers))
    else:
        problems = []
        try:
            end = parse_moment(params.end_date, _zone()) if params.end_date else utcnow()
            start = (
                parse_moment(params.start_date, _zone()) if params.start_date else end - MAX_WINDOW
            )
        except InputError as error:
            start = end = None
            problems += [_("start_date and end_date must be ISO 8601 date-times."), error.message]
        else:
            if end < start:
                problems.append(_("end_date must not be before start_date."))
            elif end - start > MAX_WINDOW:
                problems.append(_("start_date and end_date may be at most 90 days apart."))
        statuses = params.status
        if any(s not in ("open", "closed") for s in statuses):
            problems.append(_("status must be open, closed, or both separated by a comma."))
        if problems:
            return errors(fmt, 400, *problems)
        query = query.where(Appeal.received_at >= start, Appeal.received_at <= end)
        if params.service_code:
            query = query.where(Category.code.in_(params.service_code))
        if statuses == ["open"]:
            query = query.where(Appeal.status.not_in(FINAL_STATUSES))
        elif statuses == ["closed"]:
            query = query.where(Appeal.status.in_(FINAL_STATUSES))
    try:
        number = paging.parse_page(request.args.get("page"), strict=True)
        size = paging.parse_per_page(request.args.get("page_size"), paging.OPEN311)
    except InputError:
        return errors(fmt, 400, _("page must be from 1 to 100000, page_size from 1 to 200."))
    try:
        after = LIST_ORDER.read_cursor(request.args.get("after"))
        page = paging.paginate(
            db.session,
            query,
            page=number,
            per_page=size,
            keyset=LIST_ORDER,
            after=after,
            count=False,
            run=_rows,
        )
    except InputError as error:
        return errors(fmt, 400, error.message)
    appeals = page.items
    notes = (
        _public_notes([a.id for a in appeals])
        if params.extensions
        else dict.fromkeys((a.id for a in appeals), None)
    )
    locale = current_locale()
    response = respond(
        fmt,
        "service_requests",
        [
            _request_view(
                a, notes[a.id], own=key is not None and a.api_key_id == key.id, locale=locale
            )
            for a in appeals
        ],
    )
    if page.after:
        # The page after this one (RFC 8288; a relative address, whatever Host was sent):
        # the same filters, from the cursor on.
        link = url_for(
            "open311.list_requests",
            fmt=fmt,
            **known_args(request.args, LIST_PARAMS, 2_000),
            after=page.after,
        )
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


@bp.route(f"/requests/<service_request_id>.{FMT}")
@read_limit
def get_request(service_request_id: str, fmt: str):
    params = schemas.RequestQuery.model_validate(request.args.to_dict())
    key = current_api_key(params.api_key)
    number = normalize_registration_number(service_request_id)
    extensions = bool(params.extensions)
    if number and key is None:
        return _public_request(number, fmt, extensions=extensions)
    appeal = (
        _rows(_PUBLISHED_OR_KEYS_BY_NUMBER, {"number": number, "key_id": key.id}).first()
        if number and key is not None
        else None
    )
    if appeal is None:
        return _no_such_request(fmt)
    own = appeal.api_key_id == key.id
    return _request_answer(appeal, fmt, extensions=extensions, own=own)


def _no_such_request(fmt: str):
    return errors(fmt, 404, _("No such service request."))


def _request_answer(appeal: Row, fmt: str, *, extensions: bool, own: bool):
    notes = _public_notes([appeal.id])[appeal.id] if extensions else None
    view = _request_view(appeal, notes, own=own, locale=current_locale())
    return respond(fmt, "service_requests", [view])


# The answer for a published request read without a key is the same for every reader of one
# version of the appeal in one language and format, so each worker keeps it: a read is then
# one indexed query for the version. Every change of an appeal raises its version (an event
# too touches it), so a change is visible at once; the time bound only limits how long a
# renamed category or body keeps its old name in a kept answer.
ANSWER_KEPT_SECONDS = 60


def _kept_answers() -> MemoryPageCache:
    kept = current_app.extensions.get("reception_open311_answers")
    if kept is None:
        kept = current_app.extensions.setdefault("reception_open311_answers", MemoryPageCache())
    return kept


def _public_request(number: str, fmt: str, *, extensions: bool):
    # Outside the session (core.database.KeyRead): a kept answer costs one indexed query,
    # and a transaction around it would cost more than the query.
    found = _PUBLISHED_VERSION_BY_NUMBER.first(number=number)
    if found is None:
        return _no_such_request(fmt)
    locale = current_locale()
    kept = _kept_answers().get((found.id, found.version, locale, fmt, extensions))
    if kept is not None:
        body, content_type = kept
        return Response(body, content_type=content_type)
    with plain_connection() as connection:
        appeal = connection.execute(_PUBLISHED_BY_NUMBER, {"number": number}).first()
    if appeal is None:  # unpublished meanwhile
        return _no_such_request(fmt)
    response = _request_answer(appeal, fmt, extensions=extensions, own=False)
    _kept_answers().set(
        (appeal.id, appeal.version, locale, fmt, extensions),
        (response.get_data(), response.content_type),
        ANSWER_KEPT_SECONDS,
    )
    return response


@bp.route(f"/tokens/<token>.{FMT}")
@read_limit
def token(token: str, fmt: str):
    # Requests get their id at once, so no token is ever handed out.
    return errors(fmt, 404, _("Unknown token: this server returns service_request_id at once."))


@bp.route(f"/requests.{FMT}", methods=["POST"])
@write_limit
def create_request(fmt: str):
    form = request.form
    key = current_api_key(form.get("api_key", ""))
    if key is None:
        return errors(fmt, 403, _("A valid api_key is required to create requests."))
    try:
        call = idempotency.from_request(request, key.id)
        stored = _stored_answer(call)
    except idempotency.IdempotencyError as problem:
        return errors(fmt, problem.status, problem.message)
    if stored is not None:
        return stored
    category = directory.get_category(db.session, (form.get("service_code") or "").strip())
    if category is None:
        return errors(fmt, 404, _("Unknown service_code."))
    problems = []
    lat, long = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address = (form.get("address_string") or "").strip() or (form.get("address_id") or "").strip()
    if not address and lat and long:
        address = f"{lat}, {long}"
    if not address:
        problems.append(_("A location is required: address_string, address_id, or lat and long."))
    description = form.get("description") or ""
    if len(description) > MAX_DESCRIPTION:
        problems.append(_("description may be at most 4,000 characters."))
    media_url = (form.get("media_url") or "").strip()
    if media_url and not _URL.match(media_url):
        problems.append(_("media_url must be an http or https address."))
    if problems:
        return errors(fmt, 400, *problems)

    language = (form.get("attribute[language]") or "").strip() or current_locale()
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    submission = Submission.from_mapping(
        {
            "kind": (form.get("attribute[kind]") or "application").strip(),
            "category": category.code,
            "region": form.get("attribute[region]"),
            "subject": first_line[:120]
            or category.name(language if language in LANGUAGES else "en"),
            "text": description,
            "full_name": " ".join(
                p
                for p in (
                    (form.get("first_name") or "").strip(),
                    (form.get("last_name") or "").strip(),
                )
                if p
            ),
            "iin": form.get("attribute[iin]"),
            "email": form.get("email"),
            "phone": form.get("phone"),
            "address": address,
            "language": language,
        }
    )
    store = attachment_store()
    actor = key.user if key.user is not None and key.user.is_active else None

    def file_it():
        filed = file_appeal(
            db.session,
            submission,
            now=utcnow(),
            actor=actor,
            settings=current_settings().filing,
            store=store,
            channel=Channel.api,
            api_key_id=key.id,
            screening={"media_url": media_url} if media_url else None,
        )
        # The answer is made before the commit, which expires the appeal: reading it
        # afterwards would load the whole row again.
        number = filed.appeal.number
        with force_locale(filed.appeal.language):
            notice = _notice(filed.appeal)
        response = respond(
            fmt,
            "service_requests",
            [
                schemas.CreatedRequest(
                    service_request_id=number, service_notice=notice, account_id=None
                )
            ],
        )
        if call is not None:
            # In the filing's transaction: a second request with this key waits for the
            # first to commit, then fails on the unique key and answers the first result.
            idempotency.remember(db.session, call, response, now=utcnow())
            db.session.flush()
        return response

    def invalid_in_open311_format(invalid: Refused):
        return errors(
            fmt,
            400,
            *(
                f"{OPEN311_FIELDS.get(name, name)}: {message}"
                for name, message in invalid.errors.items()
            ),
        )

    try:
        response = perform(file_it, files=store, refused=invalid_in_open311_format)
    except IntegrityError:
        try:
            stored = _stored_answer(call)
        except idempotency.IdempotencyError as problem:
            return errors(fmt, problem.status, problem.message)
        if stored is None:
            raise
        return stored
    return response


def _stored_answer(call: idempotency.IdempotentCall | None):
    if call is None:
        return None
    return idempotency.stored_response(
        db.session, call, now=utcnow(), hours=current_app.config["RECEPTION_IDEMPOTENCY_HOURS"]
    )


# Our field names as an Open311 client knows them, for error messages.
OPEN311_FIELDS = {
    "kind": "attribute[kind]",
    "region": "attribute[region]",
    "iin": "attribute[iin]",
    "language": "attribute[language]",
    "category": "service_code",
    "subject": "description",
    "text": "description",
    "full_name": "first_name, last_name",
    "address": "address_string",
    "email": "email",
    "phone": "phone",
}
