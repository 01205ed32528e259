"""The OpenAPI 3.1 document of both APIs, kept beside the code and served as JSON.

A test checks that every API route is described here, and CI runs schemathesis against a
running app with this document: no server errors, and every answer matches its schema.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("openapi", __name__)

NULLABLE_STRING = {"type": ["string", "null"]}
STRING = {"type": "string"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(schema: dict) -> dict:
    return {"type": "array", "items": schema}


def _open311_responses(ok_schema: dict, fmt: str, *codes: int) -> dict:
    def content(schema):
        if fmt == "xml":
            return {"text/xml": {"schema": STRING}}
        return {"application/json": {"schema": schema}}

    responses = {"200": {"description": "OK", "content": content(ok_schema)}}
    for code in (*codes, 429):
        responses[str(code)] = {"description": "Error", "content": content(_ref("Open311Errors"))}
    return responses


def _param(name: str, where: str = "query", required: bool = False, schema=None, text=""):
    return {
        "name": name,
        "in": where,
        "required": required,
        "schema": schema or STRING,
        "description": text,
    }


IDEMPOTENCY_KEY = _param(
    "Idempotency-Key",
    "header",
    schema={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    text=(
        "A key of the client's choice (a UUID, say) that makes a retry safe: the same key "
        "with the same request, within RECEPTION_IDEMPOTENCY_HOURS (24 by default), answers "
        "the first result again (same status and body, header Idempotent-Replayed: true) "
        "and changes nothing; the same key with a different request is refused with 422 "
        "(code idempotency_key_reused). Keys belong to the API key that sent them. A request "
        "that was refused stored nothing and is judged again."
    ),
)


def _open311_paths() -> dict:
    paths: dict = {}
    list_params = [
        _param("api_key", text="Also lists the requests this key filed."),
        _param("service_request_id", text="Comma-separated registration numbers."),
        _param("service_code", text="Comma-separated category codes."),
        _param("start_date", schema={"type": "string", "format": "date-time"}),
        _param("end_date", schema={"type": "string", "format": "date-time"}),
        _param("status", text="open, closed, or both comma-separated."),
        _param("page", schema={"type": "integer", "minimum": 1, "maximum": 100_000}),
        _param("page_size", schema={"type": "integer", "minimum": 1, "maximum": 200}),
        _param("after", text="Cursor: the page after it, from the Link header's rel=next."),
        _param("extensions", schema={"type": "string", "enum": ["true", "false"]}),
        _param("locale", schema={"type": "string", "enum": ["kk", "ru", "en"]}),
    ]
    create_body = {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code"],
                    "properties": {
                        name: STRING
                        for name in (
                            "api_key",
                            "service_code",
                            "lat",
                            "long",
                            "address_string",
                            "address_id",
                            "email",
                            "device_id",
                            "account_id",
                            "first_name",
                            "last_name",
                            "phone",
                            "description",
                            "media_url",
                            "attribute[region]",
                            "attribute[kind]",
                            "attribute[iin]",
                            "attribute[language]",
                        )
                    },
                }
            }
        },
    }
    for fmt in ("json", "xml"):
        base = "/open311/v2"
        tag = ["Open311"]
        paths[f"{base}/discovery.{fmt}"] = {
            "get": {
                "tags": tag,
                "summary": "Discovery",
                "operationId": f"discovery_{fmt}",
                "responses": _open311_responses(_ref("Discovery"), fmt),
            }
        }
        paths[f"{base}/services.{fmt}"] = {
            "get": {
                "tags": tag,
                "summary": "Service list (the categories)",
                "operationId": f"services_{fmt}",
                "parameters": [
                    _param("locale", schema={"type": "string", "enum": ["kk", "ru", "en"]})
                ],
                "responses": _open311_responses(_array(_ref("Service")), fmt),
            }
        }
        paths[f"{base}/services/{{service_code}}.{fmt}"] = {
            "get": {
                "tags": tag,
                "summary": "Service definition",
                "operationId": f"service_{fmt}",
                "parameters": [_param("service_code", "path", True)],
                "responses": _open311_responses(_ref("ServiceDefinition"), fmt, 404),
            }
        }
        paths[f"{base}/requests.{fmt}"] = {
            "get": {
                "tags": tag,
                "summary": "List requests (no personal data)",
                "operationId": f"requests_{fmt}",
                "parameters": list_params,
                "responses": _open311_responses(_array(_ref("ServiceRequest")), fmt, 400),
            },
            "post": {
                "tags": tag,
                "summary": "Create a request (files an appeal)",
                "operationId": f"create_request_{fmt}",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": create_body,
                "responses": _open311_responses(
                    _array(_ref("CreatedRequest")), fmt, 400, 403, 404, 422
                ),
            },
        }
        paths[f"{base}/requests/{{service_request_id}}.{fmt}"] = {
            "get": {
                "tags": tag,
                "summary": "One request",
                "operationId": f"request_{fmt}",
                "parameters": [
                    _param("service_request_id", "path", True),
                    list_params[0],
                    list_params[8],
                    list_params[9],
                ],
                "responses": _open311_responses(_array(_ref("ServiceRequest")), fmt, 404),
            }
        }
        paths[f"{base}/tokens/{{token}}.{fmt}"] = {
            "get": {
                "tags": tag,
                "summary": "Request id from a token (never needed here)",
                "operationId": f"token_{fmt}",
                "parameters": [_param("token", "path", True)],
                "responses": _open311_responses(_array({"type": "object"}), fmt, 404),
            }
        }
    return paths


def _api_responses(ok_schema: dict, *codes: int) -> dict:
    responses = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ok_schema}}}
    }
    for code in (401, 403, 429, *codes):
        responses[str(code)] = {
            "description": "Error",
            "content": {"application/json": {"schema": _ref("ApiError")}},
        }
    return responses


def _api_paths() -> dict:
    security = [{"bearer": []}]
    tag = ["Staff API"]
    queue_params = [
        _param("status", text="open (default), all, or a status code."),
        _param("overdue", schema={"type": "string", "enum": ["1", "0"]}),
        _param("page", schema={"type": "integer", "minimum": 1, "maximum": 100_000}),
        _param("after", text="Cursor from `next`: the page after it (then `page` is null)."),
        _param("q", text="Search in number, subject, text and applicant name."),
        _param("kind"),
        _param("category"),
        _param("executor", text="me, none, or a user id."),
        _param("due_within", schema={"type": "integer", "minimum": 0, "maximum": 60}),
    ]
    return {
        "/api/v1/appeals": {
            "get": {
                "tags": tag,
                "summary": "The user's queue",
                "operationId": "list_appeals",
                "security": security,
                "parameters": queue_params,
                "responses": _api_responses(_ref("AppealPage"), 400),
            }
        },
        "/api/v1/appeals/{number}": {
            "get": {
                "tags": tag,
                "summary": "One appeal with its timeline",
                "operationId": "get_appeal",
                "security": security,
                "parameters": [_param("number", "path", True)],
                "responses": _api_responses(_ref("AppealDetail"), 404),
            }
        },
        "/api/v1/appeals/{number}/actions": {
            "post": {
                "tags": tag,
                "summary": "Perform an action (take, answer, forward, group_answer, ...)",
                "operationId": "post_action",
                "security": security,
                "parameters": [_param("number", "path", True), IDEMPOTENCY_KEY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ActionRequest")}},
                },
                "responses": _api_responses(_ref("ActionResult"), 400, 404, 409, 413, 422),
            }
        },
    }


def _terms_paths() -> dict:
    """The public term calculator (no key; rate-limited)."""
    errors = {
        str(code): {
            "description": "Error",
            "content": {"application/json": {"schema": _ref("ApiError")}},
        }
        for code in (400, 429)
    }
    return {
        "/terms.json": {
            "get": {
                "tags": ["Term calculator"],
                "summary": "Registration date, due date and how they were reached",
                "operationId": "calculate_term",
                "parameters": [
                    _param(
                        "received",
                        required=True,
                        text="ISO 8601 date-time; without an offset it is local time.",
                    ),
                    _param("kind", required=True, text="application, complaint, request, ..."),
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": _ref("TermCalculation")}},
                    },
                    **errors,
                },
            }
        }
    }


def _schemas() -> dict:
    def obj(required: list[str], properties: dict, extra: bool = False) -> dict:
        return {
            "type": "object",
            "required": required,
            "properties": properties,
            "additionalProperties": extra,
        }

    request_fields = {
        "service_request_id": STRING,
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": STRING,
        "service_name": STRING,
        "service_code": STRING,
        "description": STRING,
        "agency_responsible": STRING,
        "service_notice": STRING,
        "requested_datetime": STRING,
        "updated_datetime": STRING,
        "expected_datetime": STRING,
        "address": NULLABLE_STRING,
        "address_id": NULLABLE_STRING,
        "zipcode": NULLABLE_STRING,
        "lat": NULLABLE_STRING,
        "long": NULLABLE_STRING,
        "media_url": NULLABLE_STRING,
        "notes": _array(
            obj(
                ["datetime", "description", "type"],
                {"datetime": STRING, "description": STRING, "type": STRING},
            )
        ),
    }
    appeal_fields = {
        "number": STRING,
        "status": STRING,
        "kind": STRING,
        "channel": STRING,
        "language": STRING,
        "category": STRING,
        "region": STRING,
        "authority": STRING,
        "executor": NULLABLE_STRING,
        "subject": STRING,
        "received_at": STRING,
        "registered_on": STRING,
        "due_on": STRING,
        "overdue": {"type": "boolean"},
        "updated_at": STRING,
        "answered_at": NULLABLE_STRING,
        "extensions_count": {"type": "integer"},
        "repeat_of": NULLABLE_STRING,
        "actions": _array(STRING),
    }
    detail_fields = {
        **appeal_fields,
        "authority_name": STRING,
        "text": STRING,
        "publish_consent": {"type": "boolean"},
        "applicant": {"type": "object"},
        # A collective appeal (Art. 22): the co-signers the applicant represents, in order;
        # whether each is told by e-mail (their addresses stay on the staff page).
        "co_applicants": _array(
            obj(
                ["full_name", "notified_by_email"],
                {"full_name": STRING, "notified_by_email": {"type": "boolean"}},
            )
        ),
        "attachments": _array({"type": "object"}),
        "events": _array({"type": "object"}),
        "term_steps": _array(_ref("TermStep")),
        # Open and recent appeals of the same body about the same thing, that the key's
        # user may see: best first, at most 5, score from 0 to 1.
        "similar": _array(
            obj(
                ["number", "score"],
                {"number": STRING, "score": {"type": "number", "minimum": 0, "maximum": 1}},
            )
        ),
        "group": {
            "oneOf": [
                {"type": "null"},
                obj(["id", "members"], {"id": {"type": "integer"}, "members": _array(STRING)}),
            ],
            "description": "The group of similar appeals this appeal is in (one body).",
        },
        "routing_hint": {
            "oneOf": [
                {"type": "null"},
                obj(["authority", "count"], {"authority": STRING, "count": {"type": "integer"}}),
            ],
            "description": "Similar appeals forwarded from this body went mostly here.",
        },
    }
    return {
        "Open311Errors": _array(
            obj(["code", "description"], {"code": {"type": "integer"}, "description": STRING})
        ),
        "Discovery": obj(
            ["changeset", "contact", "key_service", "endpoints"],
            {
                "changeset": STRING,
                "contact": STRING,
                "key_service": STRING,
                "endpoints": _array({"type": "object"}),
            },
        ),
        "Service": obj(
            ["service_code", "service_name", "metadata", "type"],
            {
                "service_code": STRING,
                "service_name": STRING,
                "description": STRING,
                "metadata": {"type": "boolean"},
                "type": STRING,
                "keywords": STRING,
                "group": STRING,
            },
        ),
        "ServiceDefinition": obj(
            ["service_code", "attributes"],
            {"service_code": STRING, "attributes": _array({"type": "object"})},
        ),
        "ServiceRequest": obj(["service_request_id", "status", "service_code"], request_fields),
        "CreatedRequest": obj(
            ["service_request_id", "service_notice"],
            {"service_request_id": STRING, "service_notice": STRING, "account_id": NULLABLE_STRING},
        ),
        "ApiError": obj(
            ["error"],
            {
                "error": obj(
                    ["code", "message"], {"code": STRING, "message": STRING, "field": STRING}
                )
            },
        ),
        # How a date was reached (docs/domain.md, section 11); `text` is the sentence.
        "TermStep": obj(
            ["step", "text"],
            {
                "step": STRING,
                "text": STRING,
                "on": STRING,
                "at": STRING,
                "until": STRING,
                "previous": STRING,
                "asked": STRING,
                "reason": STRING,
                "name": STRING,
                "days": {"type": "integer"},
                "late": {"type": "boolean"},
            },
        ),
        "TermCalculation": obj(
            ["registered_on", "due_on", "steps"],
            {"registered_on": STRING, "due_on": STRING, "steps": _array(_ref("TermStep"))},
        ),
        "AppealSummary": obj(list(appeal_fields), appeal_fields),
        "AppealDetail": obj(list(appeal_fields), detail_fields),
        "AppealPage": obj(
            ["items", "page", "pages", "total"],
            {
                "items": _array(_ref("AppealSummary")),
                "page": {"type": ["integer", "null"]},
                "pages": {"type": "integer"},
                "total": {
                    "type": "integer",
                    "description": "Counted up to 10,000 only; `more` says there are more.",
                },
                "more": {"type": "boolean"},
                "next": NULLABLE_STRING,
            },
        ),
        "ActionRequest": {
            "type": "object",
            "required": ["action"],
            "properties": {
                "action": {
                    "type": "string",
                    "enum": [
                        "take",
                        "assign",
                        "forward",
                        "request_info",
                        "extend",
                        "answer",
                        "return",
                        "terminate",
                        "mark_duplicate",
                        "note",
                        "group_link",
                        "group_leave",
                        "group_answer",
                    ],
                    "description": (
                        "group_link: put this appeal and the appeals in `numbers` (this "
                        "body's, separated by spaces or commas) into one group. group_leave: "
                        "take this appeal out of its group. group_answer: answer every appeal "
                        "of the group that can be answered now, each in its language: "
                        "`text_kk`, `text_ru`, `text_en`, or `text` when all share one."
                    ),
                },
                "numbers": STRING,
                "text_kk": STRING,
                "text_ru": STRING,
                "text_en": STRING,
                "text": STRING,
                "reason": STRING,
                "authority": STRING,
                "due_on": STRING,
                "executor": STRING,
                "ground": STRING,
                "comment": STRING,
                "number": STRING,
                "reply_days": STRING,
                "template": STRING,
                "crime_report": {
                    "type": ["string", "boolean"],
                    "description": "forward: a report of a crime or a threat (Art. 88)",
                },
                "complaint_info": {
                    "type": ["string", "boolean"],
                    "description": "answer: does it explain how to complain? (default yes)",
                },
                # answer: more words or phrases to hide from the published copy (the
                # applicant's data is hidden automatically), and why.
                "hide": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
                "hide_reason": STRING,
            },
        },
        "ActionResult": obj(
            ["event", "appeal"], {"event": {"type": "object"}, "appeal": _ref("AppealSummary")}
        ),
    }


def build_document(base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Reception API",
            "version": "1.0.0",
            "description": (
                "Open311 GeoReport v2 for 311 clients (services are categories, requests are "
                "appeals; GET never carries personal data), and the JSON API for staff "
                "systems (a key tied to a user acts with that user's role and authority)."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": {**_open311_paths(), **_api_paths(), **_terms_paths()},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.route("/api/openapi.json")
def document():
    return jsonify(build_document(current_app.config["RECEPTION_BASE_URL"]))
