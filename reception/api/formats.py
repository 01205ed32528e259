"""Open311 answers in JSON or XML, with the specification's element names."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from flask import Response, jsonify
from pydantic import BaseModel

from reception.api.schemas import Open311Error

# What XML 1.0 forbids (control characters other than tab and line breaks, lone
# surrogates, U+FFFE and U+FFFF): one such character typed into a subject would make the
# whole document unreadable for every client, so each is replaced by U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# JSON escapes control characters itself; a lone surrogate it would write as a \udXXX
# escape that strict parsers refuse, so those are replaced too.
_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_text(value: str) -> str:
    """A string every XML 1.0 parser accepts."""
    return _NOT_XML.sub("\ufffd", value)


def json_safe(value):
    """The payload with every lone surrogate in its strings replaced."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


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
        element.text = xml_text(str(value))


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


def _plain(payload):
    """A declared shape (reception.api.schemas), or a list of them, as plain values."""
    if isinstance(payload, BaseModel):
        return payload.dump()
    if isinstance(payload, list):
        return [_plain(item) for item in payload]
    return payload


def respond(fmt: str, root: str, payload, status: int = 200) -> Response:
    """Answer in the format the path asked for, from a declared shape or a list of them."""
    payload = _plain(payload)
    if fmt == "xml":
        return Response(
            to_xml(root, payload), status=status, content_type="text/xml; charset=utf-8"
        )
    response = jsonify(json_safe(payload))
    response.status_code = status
    return response


def errors(fmt: str, status: int, *descriptions) -> Response:
    """The specification's error list: [{code, description}]."""
    return respond(
        fmt,
        "errors",
        [Open311Error(code=status, description=str(text)) for text in descriptions],
        status,
    )
