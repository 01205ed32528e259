"""The shapes of both APIs, declared once: every answer is made from these models and the
OpenAPI document (reception.api.openapi) is generated from them, field by field.

Open311 GeoReport v2 keeps the specification's names and order (the XML writer follows the
order of the fields); the JSON API's are Reception's contract (PRODUCT.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

from reception.core.inputs import MAX_PAGE, parse_bool
from reception.core.shapes import (
    ApiError,
    DateTimeText,
    InputShape,
    IsoDate,
    IsoDateTime,
    Shape,
    omitted_when_none,
)
from reception.domain.actions import STAFF_ACTION_HELP, STAFF_ACTIONS
from reception.domain.workflow import LANGUAGES as LANGUAGE_CODES
from reception.domain.workflow import AppealKind, AppealStatus, Channel, Role
from reception.terms.schemas import TermCalculation, TermStep

LANGUAGES = tuple(str(code) for code in LANGUAGE_CODES)
Language = Literal[LANGUAGES]
MAX_OPEN311_PAGE_SIZE = 200
StaffAction = Literal[STAFF_ACTIONS]

# --- Errors -----------------------------------------------------------------------------


class Open311Error(Shape):
    code: int = Field(description="The HTTP status.")
    description: str


# --- Open311 GeoReport v2 ---------------------------------------------------------------


class DiscoveryEndpoint(Shape):
    specification: str
    url: str
    changeset: DateTimeText
    type: Literal["production", "test"]
    formats: list[str]


class Discovery(Shape):
    changeset: DateTimeText
    contact: str
    key_service: str
    endpoints: list[DiscoveryEndpoint]


class Service(Shape):
    """A service is a category of appeals."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = Field(description="True: the service definition lists attributes.")
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValue(Shape):
    key: str
    name: str


class ServiceAttribute(Shape):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(Shape):
    service_code: str
    attributes: list[ServiceAttribute]


class RequestNote(Shape):
    """One public event of the appeal (extensions=true)."""

    datetime: DateTimeText
    description: str
    type: str = Field(description="The event's action code.")


class ServiceRequest(Shape):
    """An appeal as a service request: never any personal data."""

    service_request_id: str = Field(description="The registration number.")
    status: Literal["open", "closed"]
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: DateTimeText
    updated_datetime: DateTimeText
    expected_datetime: DateTimeText = Field(description="The due date's end of working day.")
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: str | None
    long: str | None
    media_url: str | None
    notes: list[RequestNote] | None = omitted_when_none("Only with extensions=true.")


class CreatedRequest(Shape):
    service_request_id: str
    service_notice: str
    account_id: str | None


class RequestToken(Shape):
    """A token's request id (this server gives the id at once, so never answered)."""

    service_request_id: str
    token: str


def _comma_list(value: object) -> list[str]:
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


# A comma-separated list in one query parameter; empty parts are dropped.
CommaList = Annotated[list[str], BeforeValidator(_comma_list), WithJsonSchema({"type": "string"})]
# A yes/no query flag: 1, on, true, yes are yes, anything else no.
QueryFlag = Annotated[
    bool,
    BeforeValidator(parse_bool),
    WithJsonSchema({"type": "string", "enum": ["true", "false"]}),
]
# Read by the paging (reception.core.inputs), declared here for the document.
PageNumber = Annotated[str, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PAGE})]
# The language of the answer's names and texts (read by reception.core.i18n).
LocaleParameter = Annotated[str, WithJsonSchema({"type": "string", "enum": list(LANGUAGES)})]


class LocaleQuery(InputShape):
    """The query of Open311's service list."""

    locale: LocaleParameter = ""


class RequestQuery(LocaleQuery):
    """The query of one Open311 service request. An empty parameter counts as absent."""

    api_key: str = Field("", description="Also shows a request this key filed.")
    extensions: QueryFlag = Field(False, description="true: add `notes`, the public history.")


class RequestListQuery(RequestQuery):
    """The query of Open311's request list."""

    service_request_id: CommaList = Field(
        [], description="Comma-separated registration numbers; overrides the rest."
    )
    service_code: CommaList = Field([], description="Comma-separated category codes.")
    start_date: DateTimeText = Field("", description="Default: 90 days before end_date.")
    end_date: DateTimeText = Field("", description="Default: now; at most 90 days after start.")
    status: CommaList = Field([], description="open, closed, or both comma-separated.")
    page: PageNumber = ""
    page_size: PageNumber = Field(
        "",
        json_schema_extra={"maximum": MAX_OPEN311_PAGE_SIZE},
        description="50 by default.",
    )
    after: str = Field(
        "", description="Cursor: the page after it, from the Link header's rel=next."
    )


class CreateRequestForm(InputShape):
    """POST requests.{json,xml} (application/x-www-form-urlencoded)."""

    api_key: str
    service_code: str = Field(description="A category code.")
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    description: str | None = Field(None, description="At most 4,000 characters.")
    media_url: str | None = None
    attribute_region: str | None = Field(
        None, alias="attribute[region]", description="ISO 3166-2 code; required."
    )
    attribute_kind: str | None = Field(None, alias="attribute[kind]")
    attribute_iin: str | None = Field(None, alias="attribute[iin]")
    attribute_language: str | None = Field(None, alias="attribute[language]")


# --- The JSON API -----------------------------------------------------------------------


class Applicant(Shape):
    type: Literal["person", "organisation"]
    full_name: str
    iin: str | None = Field(description="IIN, or BIN of an organisation.")
    email: str
    phone: str
    address: str


class CoApplicant(Shape):
    """A co-signer of a collective appeal (Art. 22); their addresses stay on the staff page."""

    full_name: str
    notified_by_email: bool


class AttachmentInfo(Shape):
    id: int
    name: str
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(description="Bytes.")
    event_id: int | None = Field(description="The event that added it (null: the appeal).")


class Event(Shape):
    """One step of the appeal's history (internal notes included)."""

    action: str = Field(description="The event's code: a workflow action, register, ...")
    from_status: AppealStatus | None
    to_status: AppealStatus
    public: bool
    comment: str
    data: dict[str, Any] = Field(description="The action's own details (free-form).")
    actor: str | None = Field(description="The actor's e-mail; null for the system.")
    actor_role: Role | None
    created_at: IsoDateTime


class SimilarAppeal(Shape):
    number: str
    score: float = Field(ge=0, le=1)


class AppealGroup(Shape):
    """The group of similar appeals this appeal is in (one body)."""

    id: int
    members: list[str]


class RoutingHint(Shape):
    """Similar appeals forwarded from this body went mostly here."""

    authority: str
    count: int


class AppealSummary(Shape):
    number: str
    status: AppealStatus
    kind: AppealKind
    channel: Channel
    language: Language
    category: str
    region: str
    authority: str
    executor: str | None = Field(description="The executor's e-mail.")
    subject: str
    received_at: IsoDateTime
    registered_on: IsoDate
    due_on: IsoDate
    overdue: bool
    updated_at: IsoDateTime
    answered_at: IsoDateTime | None
    extensions_count: int
    repeat_of: str | None = Field(
        description=(
            "The same applicant's earlier appeal on the same topic, decided within the "
            "repeat window: its number."
        )
    )
    actions: list[StaffAction] = Field(description="What the key's user may do now.")


class AppealDetail(AppealSummary):
    authority_name: str
    text: str
    applicant: Applicant
    co_applicants: list[CoApplicant] = Field(
        description="A collective appeal's co-signers, in order (Art. 22)."
    )
    publish_consent: bool
    attachments: list[AttachmentInfo]
    events: list[Event]
    term_steps: list[TermStep] = Field(description="How the due date was reached.")
    similar: list[SimilarAppeal] = Field(
        description=(
            "Open and recent appeals of the same body about the same thing that the key's "
            "user may see: best first, at most 5."
        )
    )
    group: AppealGroup | None
    routing_hint: RoutingHint | None


class AppealPage(Shape):
    items: list[AppealSummary]
    page: int | None = Field(description="The page's number; null on a page reached by `after`.")
    pages: int
    total: int = Field(description="Counted up to 10,000 only; `more` says there are more.")
    more: bool
    next: str | None = Field(
        description="The address of the next page (by its cursor, `after`); null on the last."
    )


class EventSummary(Shape):
    action: str
    from_status: AppealStatus | None
    to_status: AppealStatus
    created_at: IsoDateTime


class ActionResult(Shape):
    event: EventSummary
    appeal: AppealSummary


class QueueQuery(InputShape):
    """The query of the queue (read by reception.review.queries.QueueFilters, as the staff
    page's)."""

    status: str = Field("", description="open (default), all, or a status code.")
    overdue: str = Field("", json_schema_extra={"enum": ["1", "0"]})
    page: PageNumber = ""
    after: str = Field(
        "", description="Cursor from `next`: the page after it (then `page` is null)."
    )
    q: str = Field("", description="Search in number, subject, text and applicant name.")
    kind: str = ""
    category: str = ""
    executor: str = Field("", description="me, none, or a user id.")
    due_within: str = Field("", json_schema_extra={"type": "integer", "minimum": 0, "maximum": 60})


def _form_text(value: object) -> str:
    """Every field is text on the way in, as from a form; anything else counts as empty."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _form_flag(value: object) -> str | bool:
    """A yes/no field: true/false as they are, text as text."""
    return value if isinstance(value, bool) else _form_text(value)


def _lines(value: object) -> str:
    """The answer's extra words to hide: a list of strings, one per line."""
    if isinstance(value, list):
        return "\n".join(v for v in value if isinstance(v, str))
    return _form_text(value)


FormText = Annotated[str, BeforeValidator(_form_text)]
FormFlag = Annotated[str | bool, BeforeValidator(_form_flag)]
HideList = Annotated[
    str,
    BeforeValidator(_lines),
    WithJsonSchema({"type": "array", "items": {"type": "string"}, "maxItems": 50}),
]


class ActionRequest(InputShape):
    """POST /api/v1/appeals/<number>/actions: the action and the fields it reads."""

    action: StaffAction = Field(
        description="; ".join(f"{code}: {text}" for code, text in STAFF_ACTION_HELP.items())
    )
    text: FormText = None
    text_kk: FormText = None
    text_ru: FormText = None
    text_en: FormText = None
    numbers: FormText = None
    reason: FormText = None
    authority: FormText = None
    due_on: FormText = None
    executor: FormText = None
    ground: FormText = None
    comment: FormText = None
    number: FormText = None
    reply_days: FormText = None
    template: FormText = None
    crime_report: FormFlag = Field(
        None, description="forward: a report of a crime or a threat (Art. 88)"
    )
    complaint_info: FormFlag = Field(
        None, description="answer: does it explain how to complain? (default yes)"
    )
    hide: HideList = Field(
        None,
        description=(
            "answer: more words or phrases to hide from the published copy (the applicant's "
            "data is hidden automatically)"
        ),
    )
    hide_reason: FormText = None

    def fields(self) -> dict:
        """The fields the client sent, as the action's input."""
        return self.model_dump(exclude_unset=True)


# Everything the document describes, answers and inputs.
OUTPUT_MODELS = (
    ApiError,
    Open311Error,
    Discovery,
    Service,
    ServiceDefinition,
    ServiceRequest,
    CreatedRequest,
    RequestToken,
    AppealPage,
    AppealDetail,
    ActionResult,
    TermCalculation,
)
INPUT_MODELS = (ActionRequest, CreateRequestForm)
# Query parameters, one model per operation (reception.api.openapi lists their fields).
QUERY_MODELS = (LocaleQuery, RequestQuery, RequestListQuery, QueueQuery)
# Maps whose keys are data, deliberately not described field by field.
FREE_FORM = {"Event.data": "an action's own details, different for every action"}
