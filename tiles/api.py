"""HTTP endpoints of the tile service."""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from geo_ioc.api.http import allow
from tiles import queries
from tiles.http import tile_response
from tiles.tms import parse_layer_list, parse_tile

MVT_TYPE = "application/vnd.mapbox-vector-tile"


@allow("GET")
def tile(request: HttpRequest, layers: str, z: str, x: str, y: str) -> HttpResponse:
    """`GET /tiles/{layer[,layer…]}/{z}/{x}/{y}.mvt`: 204 when the tile is empty."""
    address = parse_tile(z, x, y)
    resolved = queries.resolve_layers(request.user, parse_layer_list(layers))
    body = queries.render_tile(request.user, resolved, address)
    response = tile_response(request, body, MVT_TYPE) if body else HttpResponse(status=204)
    public = all(layer.access_level == "public" for layer in resolved)
    response["Cache-Control"] = "public, max-age=60" if public else "private, max-age=60"
    response["Vary"] = "Accept-Encoding, Authorization, Cookie"
    return response


@allow("GET")
def tilejson(request: HttpRequest, layers: str) -> JsonResponse:
    """`GET /tiles/{layer[,layer…]}.json`: TileJSON 3.0.0."""
    resolved = queries.resolve_layers(request.user, parse_layer_list(layers))
    template = reverse("tile", kwargs={"layers": layers, "z": "0", "x": "0", "y": "0"})
    url = unquote(request.build_absolute_uri(template)).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    return JsonResponse(
        queries.tilejson(request.user, resolved, url), json_dumps_params={"ensure_ascii": False}
    )
