"""Open311 answers in JSON or XML, with the specification's element names."""

from __future__ import annotations

from xml.etree import ElementTree

from flask import Response, jsonify

# In XML a list is an element holding one child per item.
XML_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml_value(parent: ElementTree.Element, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, list):
        item_name = XML_ITEM_NAMES.get(name, "item")
        for inner in value:
            _xml_value(element, item_name, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def to_xml(root: str, payload) -> str:
    """Serialise a list (under `root`) or an object (as `root`) to an XML document."""
    if isinstance(payload, list):
        element = ElementTree.Element(root)
        item_name = XML_ITEM_NAMES.get(root, "item")
        for item in payload:
            _xml_value(element, item_name, item)
    else:
        element = ElementTree.Element(root)
        for key, value in payload.items():
            _xml_value(element, key, value)
    body = ElementTree.tostring(element, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def respond(fmt: str, root: str, payload, status: int = 200) -> Response:
    """Answer in the format the path asked for."""
    if fmt == "xml":
        return Response(
            to_xml(root, payload), status=status, content_type="text/xml; charset=utf-8"
        )
    response = jsonify(payload)
    response.status_code = status
    return response


def errors(fmt: str, status: int, *descriptions) -> Response:
    """The specification's error list: [{code, description}]."""
    return respond(
        fmt,
        "errors",
        [{"code": status, "description": str(text)} for text in descriptions],
        status,
    )
