"""HTTP caching of tiles: a strong ETag per representation, 304 on a match, gzip on request."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

from tiles.bodies import CachedTile

MVT_TYPE = "application/vnd.mapbox-vector-tile"
# Set on a tile the size budget generalised harder than its layers' rules (`tiles.queries`).
BUDGET_HEADER = "X-Tile-Budget"
_TAG = re.compile(r'(?:W/)?"([^"]*)"')


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether the client listed gzip in Accept-Encoding (and did not refuse it with q=0)."""
    return gzip_accepted(request.headers.get("Accept-Encoding", ""))


def gzip_accepted(accept_encoding: str) -> bool:
    """`accepts_gzip` on the header's value."""
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def etag_for(digest: str, encoding: str) -> str:
    """A strong ETag of the tile; each encoding is its own representation."""
    return f'"{digest}-{encoding}"'


def matches(request: HttpRequest, etag: str) -> bool:
    """If-None-Match holds the tag (weak comparison, as GET uses) or `*`."""
    return tag_matches(request.headers.get("If-None-Match", ""), etag)


def tag_matches(if_none_match: str, etag: str) -> bool:
    """`matches` on the header's value."""
    header = if_none_match
    if header.strip() == "*":
        return True
    wanted = etag.strip('"')
    return any(tag == wanted for tag in _TAG.findall(header))


def tile_response(request: HttpRequest, tile: CachedTile) -> HttpResponse:
    """200 with the (possibly gzipped) tile, 204 when empty, 304 when the client has it."""
    if tile.empty:
        return HttpResponse(status=204)
    encoding = "gzip" if accepts_gzip(request) else "identity"
    etag = etag_for(tile.digest, encoding)
    if matches(request, etag):
        response = HttpResponse(status=304)
    elif encoding == "gzip":
        response = HttpResponse(tile.gzipped, content_type=MVT_TYPE)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(tile.plain(), content_type=MVT_TYPE)
    response["ETag"] = etag
    return response
