"""HTTP endpoints of the map styles and of the glyphs their labels are drawn with."""

from __future__ import annotations

import gzip
import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from geo_ioc.core.errors import InvalidParameter
from geo_ioc.core.http import allow
from tiles import fonts, styles
from tiles.http import accepts_gzip, matches

# A style follows the catalogue and the caller's access: short-lived, revalidated by ETag.
STYLE_MAX_AGE = 60
# A glyph range of a named font does not change; a new font comes under a new name.
GLYPHS_MAX_AGE = 365 * 24 * 3600
GZIP_LEVEL = 6
# More layers than any catalogue view names: a longer list is a mistake, not a view.
MAX_ONLY_LAYERS = 200


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


def _accepted_lang(header: str) -> str | None:
    """The first of our languages in an Accept-Language header, by quality then order."""
    ranked = []
    for order, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in styles.LANGS and quality > 0:
            ranked.append((-quality, order, primary))
    return min(ranked)[2] if ranked else None


def style_lang(request: HttpRequest) -> str:
    """`?lang=vi|en`, else the browser's Accept-Language, else Vietnamese."""
    given = request.GET.get("lang")
    if given is not None:
        if given not in styles.LANGS:
            raise InvalidParameter(
                f"lang must be one of {', '.join(styles.LANGS)}, got {given!r}.", field="lang"
            )
        return given
    return _accepted_lang(request.headers.get("Accept-Language", "")) or styles.LANGS[0]


def only_layers(request: HttpRequest) -> list[str] | None:
    """`?layers=a,b,c`: the layers a view keeps (None: all of the style's)."""
    given = request.GET.get("layers")
    if given is None:
        return None
    slugs = [s for s in (part.strip() for part in given.split(",")) if s]
    if len(slugs) > MAX_ONLY_LAYERS:
        raise InvalidParameter(
            f"layers names at most {MAX_ONLY_LAYERS} layers, got {len(slugs)}.", field="layers"
        )
    return slugs


@allow("GET")
def style(request: HttpRequest, name: str) -> HttpResponse:
    """`GET /styles/{name}.json`: a MapLibre style of the layers the caller may see.

    `?lang=vi|en` names the legend (default: Accept-Language, then vi); `?layers=a,b` keeps only
    those layers of the style.
    """
    lang = style_lang(request)
    only = only_layers(request)
    document = styles.build_style(request.user, name, style_urls(request), lang, only)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    shared = "public" if not request.user.is_authenticated else "private"
    # The body names its language, so the ETag (a hash of it) differs between vi and en.
    response = cacheable_response(
        request, body, "application/json", f"{shared}, max-age={STYLE_MAX_AGE}"
    )
    response["Content-Language"] = lang
    response["Vary"] = "Accept-Encoding, Accept-Language, Authorization, Cookie"
    return response


@allow("GET")
def glyphs(request: HttpRequest, fontstack: str, start: str, end: str) -> HttpResponse:
    """`GET /fonts/{fontstack}/{start}-{end}.pbf`: a glyph range of the stack's first font."""
    body = fonts.read_glyphs(fontstack, fonts.parse_range(start, end))
    return cacheable_response(request, body, fonts.PBF_TYPE, f"public, max-age={GLYPHS_MAX_AGE}")
