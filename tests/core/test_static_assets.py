"""Static files are addressed by content, cached for a year and compressed; pages are not."""

from __future__ import annotations

import gzip
import re

from reception.core.static_assets import IMMUTABLE


def _asset_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_content_hash(client):
    html = client.get("/appeals/new").get_data(as_text=True)
    links = _asset_links(html)
    assert any("css/app.css" in link for link in links)
    for link in links:
        assert re.search(r"[?&]v=[0-9a-f]{12}$", link), link


def test_a_versioned_static_file_is_cached_for_a_year(client):
    html = client.get("/appeals/new").get_data(as_text=True)
    css = next(link for link in _asset_links(html) if "app.css" in link).replace("&amp;", "&")
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_an_unversioned_or_stale_static_address_is_revalidated(client):
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"
    stale = client.get("/static/css/app.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"


def test_stylesheet_is_sent_compressed_and_small(client):
    plain = client.get("/static/css/app.css")
    packed = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers.get("Vary", "")
    body = packed.get_data()
    assert gzip.decompress(body) == plain.get_data()
    assert len(body) < len(plain.get_data()) / 3


def test_html_pages_are_never_compressed(client):
    # A page that carries the CSRF token and echoes input is not compressed (BREACH).
    response = client.get("/appeals/new", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers


def test_first_view_of_the_form_is_under_30_kb_over_the_wire(client):
    headers = {"Accept-Encoding": "gzip, br"}
    page = client.get("/appeals/new", headers=headers)
    total = len(page.get_data())
    for link in _asset_links(page.get_data(as_text=True)):
        total += len(client.get(link.replace("&amp;", "&"), headers=headers).get_data())
    assert total < 30 * 1024, total
