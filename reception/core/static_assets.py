"""Static files: addressed by their content, kept by browsers for a year, sent compressed.

Every `url_for("static", ...)` carries `v=<hash of the file>`; a request with the current hash
is answered with a year-long, immutable `Cache-Control`, so a returning visitor on a slow
phone line asks for nothing but the page. A changed file gets a new hash and so a new address.
A request without the hash (or with an old one) is answered `no-cache`.

Text files (CSS, JavaScript, SVG) are gzipped once, at start-up, and sent compressed to every
browser that accepts it: the stylesheet goes from 37 KB to 8 KB. HTML pages are sent as they
are: they carry the CSRF token and echo what people type, and a compressed page of that kind
over TLS leaks the token to an attacker who can watch the lengths of the answers (BREACH).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass

from flask import Flask, Response, request

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".map")
MIN_COMPRESSED_SIZE = 512


@dataclass(frozen=True)
class Asset:
    digest: str
    gzipped: bytes | None


def load_assets(folder: str) -> dict[str, Asset]:
    """Return {relative path: Asset} for every file under folder."""
    assets: dict[str, Asset] = {}
    for directory, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as fh:
                content = fh.read()
            gzipped = None
            if name.endswith(COMPRESSIBLE) and len(content) >= MIN_COMPRESSED_SIZE:
                # mtime=0: the same bytes on every start and every host.
                gzipped = gzip.compress(content, compresslevel=9, mtime=0)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            assets[relative] = Asset(hashlib.sha256(content).hexdigest()[:12], gzipped)
    return assets


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def install_static_assets(app: Flask) -> None:
    """Version static addresses by content, cache them for a year, gzip text files."""
    assets = load_assets(app.static_folder) if app.static_folder else {}

    @app.url_defaults
    def version_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            asset = assets.get(values.get("filename", ""))
            if asset:
                values["v"] = asset.digest

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint != "static":
            return response
        asset = assets.get((request.view_args or {}).get("filename", ""))
        if asset and request.args.get("v") == asset.digest and response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = "no-cache"
        if asset and asset.gzipped is not None:
            response.vary.add("Accept-Encoding")
            if response.status_code == 200 and _accepts_gzip(
                request.headers.get("Accept-Encoding", "")
            ):
                response.direct_passthrough = False
                response.set_data(asset.gzipped)
                response.headers["Content-Encoding"] = "gzip"
                response.headers.pop("Accept-Ranges", None)
                if response.headers.get("ETag"):
                    response.set_etag(asset.digest + "-gz")
        return response
