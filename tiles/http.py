"""HTTP caching of tiles: a strong ETag per representation, 304 on a match, gzip on request."""

from __future__ import annotations

import gzip
import hashlib
import re

from django.http import HttpRequest, HttpResponse

# A tile's compressed form is cheap to make at this level and saves most of the bytes.
GZIP_LEVEL = 6
_TAG = re.compile(r'(?:W/)?"([^"]*)"')


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether the client listed gzip in Accept-Encoding (and did not refuse it with q=0)."""
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def etag_for(body: bytes, encoding: str) -> str:
    """A strong ETag of the body; each encoding is its own representation."""
    digest = hashlib.sha256(body).hexdigest()[:32]
    return f'"{digest}-{encoding}"'


def matches(request: HttpRequest, etag: str) -> bool:
    """If-None-Match holds the tag (weak comparison, as GET uses) or `*`."""
    header = request.headers.get("If-None-Match", "")
    if header.strip() == "*":
        return True
    wanted = etag.strip('"')
    return any(tag == wanted for tag in _TAG.findall(header))


def tile_response(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    """200 with the (possibly gzipped) tile, or 304 when the client has it already."""
    encoding = "gzip" if accepts_gzip(request) else "identity"
    etag = etag_for(body, encoding)
    if matches(request, etag):
        response = HttpResponse(status=304)
    else:
        payload = gzip.compress(body, GZIP_LEVEL, mtime=0) if encoding == "gzip" else body
        response = HttpResponse(payload, content_type=content_type)
        if encoding == "gzip":
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    return response
