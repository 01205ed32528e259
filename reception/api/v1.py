"""The JSON API for staff systems: a key tied to a user acts as that user.

The same services as the web pages do the work, so the same rules, events and e-mails
apply. Errors are always `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from reception.api import idempotency, schemas
from reception.api.auth import bearer_secret, current_api_key, rate_limit_key
from reception.appeals import queries as appeal_queries
from reception.appeals.models import Appeal
from reception.appeals.visibility import staff_may_view
from reception.core import paging
from reception.core.inputs import InputError, request_json_object
from reception.core.refusals import Refused
from reception.core.types import utcnow
from reception.core.web import (
    attachment_store,
    current_settings,
    local_today,
    perform,
    register_refusal_renderer,
)
from reception.directory.queries import get_calendar
from reception.domain.actions import STAFF_ACTIONS, staff_actions_for
from reception.domain.workflow import STAFF_ROLES
from reception.extensions import csrf, db, limiter
from reception.review import queries
from reception.review.actions import perform_staff_action
from reception.review.similar import api_fields as similar_fields
from reception.terms import present as term_present
from reception.terms.history import appeal_term_steps

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
STAFF_API_ROLES = STAFF_ROLES


class ApiError(HTTPException):
    def __init__(self, status: int, code: str, message, field: str | None = None):
        super().__init__(description=str(message))
        self.code = status
        self.api_code = code
        self.field = field


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    response = jsonify(schemas.ApiError.of(error.api_code, error.description, error.field or None))
    response.status_code = error.code
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="reception"'
    return response


@bp.before_request
def authenticate():
    secret = bearer_secret()
    if not secret:
        raise ApiError(401, "unauthorized", _("Send the API key as 'Authorization: Bearer <key>'."))
    key = current_api_key(secret)
    if key is None:
        raise ApiError(401, "unauthorized", _("The API key is unknown or revoked."))
    user = key.user
    if user is None or not user.is_active or user.role not in STAFF_API_ROLES:
        raise ApiError(403, "forbidden", _("This API key does not act for a staff member."))


def _user():
    return current_api_key(bearer_secret()).user


limiter.limit(lambda: current_app.config["RATELIMIT_API"], key_func=rate_limit_key)(bp)


def appeal_co_applicants(appeal) -> list[dict]:
    """The co-signers of a collective appeal (Art. 22): names, and who gets e-mail notices."""
    return [
        schemas.CoApplicant(full_name=co.full_name, notified_by_email=bool(co.email)).dump()
        for co in appeal.co_applicants
    ]


def _summary_fields(appeal, *, today, repeat_numbers=None) -> dict:
    return {
        "number": appeal.number,
        "status": appeal.status,
        "kind": appeal.kind,
        "channel": appeal.channel,
        "language": appeal.language,
        "category": appeal.category.code,
        "region": appeal.region.code,
        "authority": appeal.authority.code,
        "executor": appeal.executor.email if appeal.executor else None,
        "subject": appeal.subject,
        "received_at": appeal.received_at,
        "registered_on": appeal.registered_on,
        "due_on": appeal.due_on,
        "overdue": appeal.is_overdue(today),
        "updated_at": appeal.updated_at,
        "answered_at": appeal.answered_at,
        "extensions_count": appeal.extensions_count,
        # The same applicant's earlier appeal on the same topic, decided within the repeat
        # window (reception.appeals.repeats): its number, or null.
        "repeat_of": (
            (repeat_numbers or {}).get(appeal.repeat_of_id) or appeal.repeat_of.number
            if appeal.repeat_of_id
            else None
        ),
        "actions": staff_actions_for(
            appeal.status, _user().role, in_group=appeal.group_id is not None
        ),
    }


def appeal_summary(appeal, *, today, repeat_numbers=None) -> schemas.AppealSummary:
    """An appeal as the queue and the action results show it."""
    return schemas.AppealSummary(
        **_summary_fields(appeal, today=today, repeat_numbers=repeat_numbers)
    )


def appeal_detail(appeal, *, today) -> schemas.AppealDetail:
    """One appeal with its applicant, files, history, term and similar appeals."""
    locale = "en"
    return schemas.AppealDetail(
        **_summary_fields(appeal, today=today),
        authority_name=appeal.authority.name(locale),
        text=appeal.text,
        applicant=schemas.Applicant(
            type=appeal.applicant_type,
            full_name=appeal.full_name,
            iin=appeal.iin,
            email=appeal.email,
            phone=appeal.phone,
            address=appeal.address,
        ),
        co_applicants=appeal_co_applicants(appeal),
        publish_consent=appeal.publish_consent,
        attachments=[
            schemas.AttachmentInfo(
                id=a.id,
                name=a.original_name,
                content_type=a.content_type,
                size=a.size,
                event_id=a.event_id,
            )
            for a in appeal.attachments
        ],
        events=[
            schemas.Event(
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                public=e.is_public,
                comment=e.comment,
                data=e.data,
                actor=e.actor.email if e.actor else None,
                actor_role=e.actor_role,
                created_at=e.created_at,
            )
            for e in queries.all_events(db.session, appeal)
        ],
        # docs/domain.md, section 11: every date shows how it was reached.
        term_steps=term_present.as_json(appeal_term_steps(db.session, appeal)),
        **similar_fields(db.session, appeal, _user(), today=today, config=current_app.config),
    )


@bp.route("/appeals")
def list_appeals():
    filters = queries.QueueFilters.from_args(request.args)
    if filters.errors:
        field, message = next(iter(filters.errors.items()))
        raise ApiError(400, "bad_request", message, field)
    calendar = get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    today = local_today()
    page = queries.list_queue(
        db.session,
        _user(),
        filters,
        today=today,
        calendar=calendar,
        page_size=paging.QUEUE.per_page(current_app.config),
    )
    # The numbers of the earlier appeals that `repeat_of` names, in one query.
    earlier = {a.repeat_of_id for a in page.items if a.repeat_of_id}
    numbers = (
        dict(
            db.session.execute(select(Appeal.id, Appeal.number).where(Appeal.id.in_(earlier))).all()
        )
        if earlier
        else {}
    )
    return jsonify(
        schemas.AppealPage(
            items=[appeal_summary(a, today=today, repeat_numbers=numbers) for a in page.items],
            page=page.page,
            pages=page.pages,
            total=page.total,
            more=page.more,
            # The page after this one, reached by its cursor (`after`): null on the last.
            next=url_for("api.list_appeals", **filters.as_args(), after=page.after)
            if page.after
            else None,
        ).dump()
    )


def _visible_appeal(number: str):
    appeal = appeal_queries.get_appeal_by_number(db.session, number)
    if appeal is None or not staff_may_view(_user(), appeal):
        raise ApiError(404, "not_found", _("No such appeal."))
    return appeal


@bp.route("/appeals/<number>")
def get_appeal(number: str):
    return jsonify(appeal_detail(_visible_appeal(number), today=local_today()).dump())


REFUSAL_STATUS = {"invalid": 422, "not_allowed": 409, "conflict": 409, "not_found": 404}


def refusal_error(refused: Refused):
    """A refusal as the API's JSON error: its code (the contract) and HTTP status."""
    raise ApiError(
        REFUSAL_STATUS.get(refused.code, 422), refused.code, refused.message, refused.field
    )


@bp.record_once
def _refusals_in_json(state) -> None:
    # A write under /api/ whose view gives no renderer of its own answers in JSON too.
    register_refusal_renderer(state.app, "/api/", refusal_error)


def _idempotent_call() -> idempotency.IdempotentCall | None:
    try:
        return idempotency.from_request(request, current_api_key(bearer_secret()).id)
    except idempotency.IdempotencyError as problem:
        raise ApiError(problem.status, problem.code, problem.message, "Idempotency-Key") from None


def _stored_answer(call: idempotency.IdempotentCall | None):
    """The first answer to this Idempotency-Key, when there is one."""
    if call is None:
        return None
    try:
        return idempotency.stored_response(
            db.session,
            call,
            now=utcnow(),
            hours=current_app.config["RECEPTION_IDEMPOTENCY_HOURS"],
        )
    except idempotency.IdempotencyError as problem:
        raise ApiError(problem.status, problem.code, problem.message, "Idempotency-Key") from None


@bp.route("/appeals/<number>/actions", methods=["POST"])
def post_action(number: str):
    call = _idempotent_call()
    stored = _stored_answer(call)
    if stored is not None:
        return stored
    appeal = _visible_appeal(number)
    try:
        payload = request_json_object(request)
    except InputError as refused:
        if refused.status == 400:
            raise ApiError(
                400, "bad_request", _("Send a JSON object with an 'action' field.")
            ) from None
        code = "too_large" if refused.status == 413 else "invalid"
        raise ApiError(refused.status, code, refused.message) from None
    try:
        data = schemas.ActionRequest.model_validate(payload).fields()
    except ValidationError:
        # Every field but `action` takes whatever it is given (see schemas.ActionRequest).
        raise ApiError(
            400,
            "bad_request",
            _("Unknown action. Use one of: %(codes)s.", codes=", ".join(STAFF_ACTIONS)),
            "action",
        ) from None
    action = data["action"]
    store = attachment_store()

    def act_on_it():
        event = perform_staff_action(
            db.session,
            appeal,
            action,
            actor=_user(),
            now=utcnow(),
            settings=current_settings(),
            store=store,
            data=data,
        )
        db.session.flush()
        # The answer is made before the commit: afterwards every attribute would be read
        # again from a database that may have gone away, and a done step answered 503.
        body = schemas.ActionResult(
            event=schemas.EventSummary(
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                created_at=event.created_at,
            ),
            appeal=appeal_summary(appeal, today=local_today()),
        )
        response = jsonify(body.dump())
        if call is not None:
            # Beside the effect, in its transaction: a second request with this key
            # waits here for the first to commit, then fails on the unique key.
            idempotency.remember(db.session, call, response, now=utcnow())
            db.session.flush()
        return response

    def refused_unless_done(refused: Refused):
        # Refused because a request with the same key changed the appeal a moment ago:
        # that request's answer is this one's too.
        stored = _stored_answer(call)
        if stored is not None:
            return stored
        return refusal_error(refused)

    try:
        response = perform(act_on_it, files=store, refused=refused_unless_done)
    except IntegrityError:
        stored = _stored_answer(call)
        if stored is None:
            raise
        return stored
    return response
