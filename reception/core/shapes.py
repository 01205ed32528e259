"""The building blocks of the APIs' declared shapes (pydantic models).

Every JSON answer of the APIs is made by filling one of these models and dumping it, and
the OpenAPI document is generated from the same models (reception.api.openapi): what the
document says is what the code sends. The models check what they are given, so an answer
that would not match the document fails loudly in the tests instead of reaching a client.

Dates and moments are kept as `date`/`datetime` and written with `isoformat()`, exactly as
before the models existed (pydantic's own JSON writer would spell UTC as "Z").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema, models_json_schema


def _isoformat(value: date | datetime) -> str:
    return value.isoformat()


# A calendar date, written as 2026-11-23.
IsoDate = Annotated[
    date,
    PlainSerializer(_isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
# A moment with its offset, written as 2026-11-23T09:00:00+05:00.
IsoDateTime = Annotated[
    datetime,
    PlainSerializer(_isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
# The same, already written out by the caller (Open311 writes local time with seconds).
DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
DateTimeText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


def _never_null(schema: dict) -> None:
    """The schema of a field that is left out rather than written as null."""
    branches = [s for s in schema.pop("anyOf", []) if s != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


def omitted_when_none(description: str | None = None) -> Any:
    """A field left out of the answer (not written as null) when it has no value."""
    return Field(
        None,
        exclude_if=lambda value: value is None,
        description=description,
        json_schema_extra=_never_null,
    )


class Shape(BaseModel):
    """An answer's shape: no field beyond the declared ones, every field written."""

    model_config = ConfigDict(
        extra="forbid",
        use_enum_values=True,
        # A field with a default is still always written, so the document says required.
        json_schema_serialization_defaults_required=True,
    )

    def dump(self) -> dict:
        """The answer as plain Python values, ready for jsonify or the XML writer."""
        return self.model_dump(mode="python")


class ApiErrorDetail(Shape):
    code: str = Field(description="A machine code: unauthorized, forbidden, not_found, ...")
    message: str = Field(description="For people, in the request's language.")
    field: str | None = omitted_when_none("The input the error is about, when there is one.")


class ApiError(Shape):
    """Every error of the JSON APIs: `{"error": {"code", "message"}}`."""

    error: ApiErrorDetail

    @classmethod
    def of(cls, code: str, message, field: str | None = None) -> dict:
        """The error's body, ready for jsonify."""
        return cls(error=ApiErrorDetail(code=code, message=str(message), field=field)).dump()


class InputShape(BaseModel):
    """What a client sends: unknown fields are ignored, as the form handlers always did."""

    model_config = ConfigDict(extra="ignore", use_enum_values=True)


class _Schema(GenerateJsonSchema):
    """JSON Schema without a generated title on every field (the names say it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def component_schemas(
    outputs: list[type[BaseModel]], inputs: list[type[BaseModel]] = ()
) -> dict[str, dict]:
    """The JSON Schemas of these models (answers as written, inputs as read) for an OpenAPI
    document's components, referring to each other as #/components/schemas/<Name>."""
    pairs = [(model, "serialization") for model in outputs]
    pairs += [(model, "validation") for model in inputs]
    _, top = models_json_schema(
        pairs, ref_template="#/components/schemas/{model}", schema_generator=_Schema
    )
    return _without_null_defaults(top.get("$defs", {}))


def _without_null_defaults(schema):
    """Drop `default: null`: an input left out is simply not given."""
    if isinstance(schema, dict):
        return {
            key: _without_null_defaults(value)
            for key, value in schema.items()
            if not (key == "default" and value is None)
        }
    if isinstance(schema, list):
        return [_without_null_defaults(value) for value in schema]
    return schema


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """The fields of a query model as OpenAPI parameters (`in: query`), in their order."""
    schema = _without_null_defaults(
        model.model_json_schema(mode="validation", schema_generator=_Schema)
    )
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        field = {k: v for k, v in field.items() if k != "default" or v not in ("", [], False)}
        description = field.pop("description", "")
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": field,
                "description": description,
            }
        )
    return parameters
