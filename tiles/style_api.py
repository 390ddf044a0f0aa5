"""HTTP endpoints of the map styles and of the glyphs their labels are drawn with."""

from __future__ import annotations

import gzip
import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from geo_ioc.core.http import allow
from tiles import fonts, styles
from tiles.http import accepts_gzip, matches

# A style follows the catalogue and the caller's access: short-lived, revalidated by ETag.
STYLE_MAX_AGE = 60
# A glyph range of a named font does not change; a new font comes under a new name.
GLYPHS_MAX_AGE = 365 * 24 * 3600
GZIP_LEVEL = 6


def cacheable_response(
    request: HttpRequest, body: bytes, content_type: str, cache_control: str
) -> HttpResponse:
    """200 with the body (gzipped when the client takes it), or 304 when its ETag matches."""
    encoding = "gzip" if accepts_gzip(request) else "identity"
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}-{encoding}"'
    if matches(request, etag):
        response = HttpResponse(status=304)
    elif encoding == "gzip":
        response = HttpResponse(gzip.compress(body, GZIP_LEVEL, mtime=0), content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Vary"] = "Accept-Encoding"
    return response


def style_urls(request: HttpRequest) -> styles.StyleUrls:
    """The TileJSON and glyph URL templates of the server, absolute as the client sees them."""
    tilejson = reverse("tilejson", kwargs={"layers": "LAYERS"})
    glyph = reverse("glyphs", kwargs={"fontstack": "FONTSTACK", "start": "0", "end": "255"})
    return styles.StyleUrls(
        tilejson=request.build_absolute_uri(tilejson).replace("LAYERS", "{layers}"),
        glyphs=request.build_absolute_uri(glyph).replace("FONTSTACK/0-255", "{fontstack}/{range}"),
    )


@allow("GET")
def style(request: HttpRequest, name: str) -> HttpResponse:
    """`GET /styles/{name}.json`: a MapLibre style of the layers the caller may see."""
    document = styles.build_style(request.user, name, style_urls(request))
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    shared = "public" if not request.user.is_authenticated else "private"
    response = cacheable_response(
        request, body, "application/json", f"{shared}, max-age={STYLE_MAX_AGE}"
    )
    response["Vary"] = "Accept-Encoding, Authorization, Cookie"
    return response


@allow("GET")
def glyphs(request: HttpRequest, fontstack: str, start: str, end: str) -> HttpResponse:
    """`GET /fonts/{fontstack}/{start}-{end}.pbf`: a glyph range of the stack's first font."""
    body = fonts.read_glyphs(fontstack, fonts.parse_range(start, end))
    return cacheable_response(request, body, fonts.PBF_TYPE, f"public, max-age={GLYPHS_MAX_AGE}")
