"""HTTP endpoints of the tile service."""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from geo_ioc.core.http import allow
from tiles import queries, serving, threads
from tiles.http import accepts_gzip
from tiles.tms import parse_layer_list, parse_tile


@allow("GET")
def _tile(request: HttpRequest, layers: str, z: str, x: str, y: str) -> HttpResponse:
    address = parse_tile(z, x, y)
    slugs = parse_layer_list(layers)
    entries = queries.resolve_layers(request.user, slugs)
    cached, hit = serving.cached_tile(request.user, entries, address, gzip=accepts_gzip(request))
    return serving.tile_reply(request, request.user, entries, cached, hit)


# Async, so that the request holds no thread while it waits: the user, catalogue, cache and SQL
# work runs in a tile thread (`tiles.threads`), several tiles at once. CSRF is exempt as `allow`
# makes the inner view (it answers other methods with a JSON 405 itself).
@csrf_exempt
async def tile(request: HttpRequest, layers: str, z: str, x: str, y: str) -> HttpResponse:
    """`GET /tiles/{layer[,layer…]}/{z}/{x}/{y}.mvt`: 204 when the tile is empty."""
    return await threads.run(_tile, request, layers, z, x, y)


@allow("GET")
def tilejson(request: HttpRequest, layers: str) -> JsonResponse:
    """`GET /tiles/{layer[,layer…]}.json`: TileJSON 3.0.0."""
    resolved = queries.catalogue_layers(request.user, parse_layer_list(layers))
    template = reverse("tile", kwargs={"layers": layers, "z": "0", "x": "0", "y": "0"})
    url = unquote(request.build_absolute_uri(template)).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    return JsonResponse(
        queries.tilejson(request.user, resolved, url), json_dumps_params={"ensure_ascii": False}
    )
