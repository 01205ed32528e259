"""The OpenAPI document describes every API route."""

import re

from reception.extensions import db  # noqa: F401


def expand(rule: str) -> list[str]:
    path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)
    path = path.replace("{fmt}", "FMT")
    if "FMT" in path:
        return [path.replace("FMT", "json"), path.replace("FMT", "xml")]
    return [path]


def test_every_api_route_is_in_the_document(app, client):
    document = client.get("/api/openapi.json").get_json()
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


def test_document_refers_only_to_defined_schemas(client):
    text = client.get("/api/openapi.json").get_data(as_text=True)
    document = client.get("/api/openapi.json").get_json()
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in document["components"]["schemas"]
