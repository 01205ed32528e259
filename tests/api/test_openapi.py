"""The OpenAPI document: generated from the declared shapes, it describes every API route
and every field, and the answers the handlers really give match it."""

import re
from datetime import UTC, datetime

import jsonschema_rs
import pytest

from reception.accounts.apikeys import create_api_key
from reception.api import schemas
from reception.domain.actions import STAFF_ACTIONS
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import PDF_BYTES, make_appeal, make_staff, upload


def expand(rule: str) -> list[str]:
    path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)
    path = path.replace("{fmt}", "FMT")
    if "FMT" in path:
        return [path.replace("FMT", "json"), path.replace("FMT", "xml")]
    return [path]


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").get_json()


def test_every_api_route_is_in_the_document(app, document):
    assert document["openapi"].startswith("3.1")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1", "/open311/v2")):
            continue
        for path in expand(rule.rule):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                if method.lower() not in document["paths"].get(path, {}):
                    missing.append(f"{method} {path}")
    assert missing == []


def test_document_refers_only_to_defined_schemas(client, document):
    text = client.get("/api/openapi.json").get_data(as_text=True)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in document["components"]["schemas"]


def _objects(node, where: str):
    """Every (place, schema) of `type: object` in a JSON Schema tree."""
    if isinstance(node, dict):
        types = node.get("type")
        if types == "object" or (isinstance(types, list) and "object" in types):
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}[{index}]")


def test_every_object_is_described_field_by_field(document):
    """No bare `{"type": "object"}`: schemathesis would check nothing inside it. The only
    free-form maps are the ones listed in schemas.FREE_FORM, on purpose."""
    free_form = set()
    for place in schemas.FREE_FORM:
        model, field = place.split(".")
        free_form.add(f"components.schemas.{model}.properties.{field}")
    bare = []
    for place, schema in _objects(document, "document"):
        place = place.removeprefix("document.")
        if schema.get("properties"):
            continue
        if place in free_form:
            continue
        bare.append(place)
    assert bare == []
    # The listed free-form maps exist, so the list cannot go stale.
    for place in free_form:
        node = document
        for key in place.split("."):
            node = node[key]
        assert node["type"] == "object"


def test_objects_allow_no_undeclared_fields(document):
    """An answer with a field the document does not name fails the contract check."""
    for name, schema in document["components"]["schemas"].items():
        if schema.get("type") == "object" and name not in {
            m.__name__ for m in schemas.INPUT_MODELS
        }:
            assert schema.get("additionalProperties") is False, name


def test_the_action_enum_is_the_registry(document):
    action = document["components"]["schemas"]["ActionRequest"]["properties"]["action"]
    assert action["enum"] == list(STAFF_ACTIONS)
    summary = document["components"]["schemas"]["AppealSummary"]["properties"]["actions"]
    assert summary["items"]["enum"] == list(STAFF_ACTIONS)
    for code in STAFF_ACTIONS:
        assert f"{code}:" in action["description"]


# --- Real answers against the document -------------------------------------------------


class Contract:
    """Checks answers against the schema the document gives their path, method and status."""

    def __init__(self, document):
        self.document = document
        self.checked = set()

    def check(self, method: str, path: str, response) -> dict:
        operation = self.document["paths"][path][method.lower()]
        answer = operation["responses"][str(response.status_code)]
        content = answer["content"]
        kind = response.mimetype
        assert kind in content, (path, response.status_code, kind)
        schema = content[kind]["schema"]
        if kind == "application/json":
            validator = jsonschema_rs.Draft202012Validator(
                {"components": self.document["components"], **schema}, validate_formats=True
            )
            body = response.get_json()
            errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(body)]
            assert errors == [], (method, path, response.status_code, errors)
        self.checked.add((method, path, response.status_code))
        return response.get_json() if kind == "application/json" else {}


@pytest.fixture
def contract(document):
    return Contract(document)


def test_the_contract_check_sees_inside_objects(document):
    """A wrong type deep inside an answer is caught (the check is not vacuous)."""
    schema = {"components": document["components"], "$ref": "#/components/schemas/AppealDetail"}
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    errors = list(validator.iter_errors({"events": [{"action": 1}], "applicant": {"iin": 5}}))
    places = [list(e.instance_path) for e in errors]
    assert ["events", 0, "action"] in places and ["applicant", "iin"] in places


def _key(user=None):
    _, secret = create_api_key(db.session, name="Contract", user=user, now=datetime.now(UTC))
    db.session.commit()
    return secret


def test_json_api_answers_match_the_document(client, contract):
    official = make_staff(role="official")
    head = make_staff(role="head")
    bearer = {"Authorization": f"Bearer {_key(official)}"}
    head_bearer = {"Authorization": f"Bearer {_key(head)}"}
    appeal, _ = make_appeal(
        TUESDAY_MORNING,
        uploads=[upload(PDF_BYTES, "plan.pdf")],
        **{
            "co_applicants-0-full_name": "Гүлнар Сейітова",
            "co_applicants-0-email": "gulnar@example.kz",
        },
    )
    other, _ = make_appeal(TUESDAY_MORNING, subject="No heating at Kenesary 40, flat 7")
    base = f"/api/v1/appeals/{appeal.number}"

    contract.check("get", "/api/v1/appeals", client.get("/api/v1/appeals", headers=bearer))
    contract.check("get", "/api/v1/appeals", client.get("/api/v1/appeals?status=all"))
    contract.check(
        "get", "/api/v1/appeals", client.get("/api/v1/appeals?status=lost", headers=bearer)
    )
    actions = "/api/v1/appeals/{number}/actions"
    post = lambda payload, who=bearer: client.post(f"{base}/actions", json=payload, headers=who)  # noqa: E731
    contract.check("post", actions, post({"action": "take"}))
    contract.check("post", actions, post({"action": "fly"}))
    contract.check("post", actions, post({"action": "answer", "text": ""}))
    contract.check("post", actions, post({"action": "note", "text": "Called the applicant."}))
    contract.check(
        "post", actions, post({"action": "group_link", "numbers": other.number}, head_bearer)
    )
    contract.check(
        "post",
        actions,
        post({"action": "extend", "due_on": "2099-01-01", "reason": "x"}),
    )
    detail = contract.check("get", "/api/v1/appeals/{number}", client.get(base, headers=bearer))
    # The objects that were bare before the document was generated are filled and checked.
    assert detail["applicant"]["email"] == "askar@example.kz"
    assert detail["attachments"][0]["content_type"] == "application/pdf"
    assert [e["action"] for e in detail["events"]][:2] == ["register", "take"]
    assert detail["co_applicants"] == [{"full_name": "Гүлнар Сейітова", "notified_by_email": True}]
    assert detail["group"]["members"] and detail["term_steps"]
    assert "group_answer" in detail["actions"]
    contract.check(
        "get", "/api/v1/appeals/{number}", client.get("/api/v1/appeals/RC-0", headers=bearer)
    )
    answered = contract.check(
        "post",
        actions,
        post({"action": "answer", "text": "Repaired.", "complaint_info": False, "hide": ["40"]}),
    )
    assert answered["event"]["to_status"] == "answered"


def test_answer_flags_sent_as_json_booleans_count(client):
    """`complaint_info` and `crime_report` are documented as booleans too: false is no."""
    official = make_staff(role="official")
    bearer = {"Authorization": f"Bearer {_key(official)}"}
    appeal, _ = make_appeal(TUESDAY_MORNING)
    response = client.post(
        f"/api/v1/appeals/{appeal.number}/actions",
        json={"action": "answer", "text": "Repaired.", "complaint_info": False},
        headers=bearer,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert appeal.complaint_info_given is False


def test_open311_and_term_answers_match_the_document(client, contract):
    key = _key()
    make_appeal(TUESDAY_MORNING, publish_consent=True)
    base = "/open311/v2"
    for fmt in ("json", "xml"):
        contract.check("get", f"{base}/discovery.{fmt}", client.get(f"{base}/discovery.{fmt}"))
        contract.check("get", f"{base}/services.{fmt}", client.get(f"{base}/services.{fmt}"))
        one = f"{base}/services/{{service_code}}.{fmt}"
        contract.check("get", one, client.get(f"{base}/services/land.{fmt}"))
        contract.check("get", one, client.get(f"{base}/services/nope.{fmt}"))
        listing = f"{base}/requests.{fmt}"
        contract.check("get", listing, client.get(f"{listing}?extensions=true&api_key={key}"))
        contract.check("get", listing, client.get(f"{listing}?status=lost"))
        created = client.post(
            listing,
            data={
                "api_key": key,
                "service_code": "roads-transport",
                "attribute[region]": "KZ-71",
                "address_string": "Астана, Кенесары 40",
                "first_name": "Асқар",
                "email": "askar@example.kz",
                "attribute[iin]": "900101300017",
                "description": "Pothole at the bus stop",
            },
        )
        contract.check("post", listing, created)
        contract.check("post", listing, client.post(listing, data={"api_key": "nope"}))
        number = (
            created.get_json()[0]["service_request_id"]
            if fmt == "json"
            else created.get_data(as_text=True).split("<service_request_id>")[1].split("<")[0]
        )
        request_path = f"{base}/requests/{{service_request_id}}.{fmt}"
        contract.check(
            "get",
            request_path,
            client.get(f"{base}/requests/{number}.{fmt}?api_key={key}&extensions=true"),
        )
        contract.check("get", request_path, client.get(f"{base}/requests/RC-0.{fmt}"))
        token = f"{base}/tokens/{{token}}.{fmt}"
        contract.check("get", token, client.get(f"{base}/tokens/abc.{fmt}"))
    terms = "/terms.json"
    ok = client.get(f"{terms}?received=2026-12-14T18:30:00%2B05:00&kind=complaint")
    assert {s["step"] for s in contract.check("get", terms, ok)["steps"]} >= {"received", "due"}
    contract.check("get", terms, client.get(f"{terms}?received=soon&kind=complaint"))
