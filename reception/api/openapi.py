"""The OpenAPI 3.1 document of both APIs, served as JSON.

The paths are listed here; every body they take or answer is generated from the models of
reception.api.schemas, the same models the handlers fill to answer, so the document cannot
drift from what is sent. A test checks that every API route is described, that every object
is described field by field, and that real answers match; CI runs schemathesis against a
running app with this document: no server errors, and every answer matches its schema.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, current_app, jsonify

from reception.api import schemas
from reception.core.shapes import component_schemas, query_parameters
from reception.domain.actions import STAFF_ACTIONS

bp = Blueprint("openapi", __name__)

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
    list_params = query_parameters(schemas.RequestListQuery)
    create_body = {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": _ref("CreateRequestForm")}},
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
                "parameters": query_parameters(schemas.LocaleQuery),
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
                    *query_parameters(schemas.RequestQuery),
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
                "responses": _open311_responses(_array(_ref("RequestToken")), fmt, 404),
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
    queue_params = query_parameters(schemas.QueueQuery)
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
                "summary": "Perform an action: " + ", ".join(STAFF_ACTIONS),
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


@cache
def _schemas() -> dict:
    generated = component_schemas(list(schemas.OUTPUT_MODELS), list(schemas.INPUT_MODELS))
    return {"Open311Errors": _array(_ref("Open311Error")), **generated}


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
