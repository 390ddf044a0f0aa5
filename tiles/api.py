"""HTTP endpoints of the tile service."""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from geo_ioc.api.http import allow
from layers.access import User
from tiles import catalogue, queries
from tiles.cache import CachedTile, tile_cache
from tiles.catalogue import TileLayer
from tiles.http import tile_response
from tiles.tms import Tile, parse_layer_list, parse_tile


def cached_tile(user: User, slugs: list[str], tile: Tile) -> tuple[CachedTile, bool]:
    """The tile from the cache, or rendered (and cached); True when it was a hit."""
    entries = queries.resolve_layers(user, slugs)
    fields = [catalogue.fields_for(user, e) for e in entries]
    prefix = f"{','.join(slugs)}|{catalogue.variant(fields, entries)}"
    cache = tile_cache()
    if cache is None:
        return CachedTile.of(queries.render_tile(user, entries, tile)), False
    hit = cache.get(prefix, tile)
    if hit is not None:
        return hit, True
    epochs = cache.epochs(slugs)
    return cache.put(prefix, slugs, tile, queries.render_tile(user, entries, tile), epochs), False


def cache_control(user: User, entries: list[TileLayer]) -> str:
    """Shortest lifetime of the layers; `public` only when anyone may see all of them."""
    max_age = min(e.layer.cache_max_age for e in entries)
    shared = not user.is_authenticated and all(e.layer.access_level == "public" for e in entries)
    return f"{'public' if shared else 'private'}, max-age={max_age}"


@allow("GET")
def tile(request: HttpRequest, layers: str, z: str, x: str, y: str) -> HttpResponse:
    """`GET /tiles/{layer[,layer…]}/{z}/{x}/{y}.mvt`: 204 when the tile is empty."""
    address = parse_tile(z, x, y)
    slugs = parse_layer_list(layers)
    cached, hit = cached_tile(request.user, slugs, address)
    response = tile_response(request, cached)
    response["Cache-Control"] = cache_control(
        request.user, queries.resolve_layers(request.user, slugs)
    )
    response["Vary"] = "Accept-Encoding, Authorization, Cookie"
    response["X-Tile-Cache"] = "hit" if hit else "miss"
    return response


@allow("GET")
def tilejson(request: HttpRequest, layers: str) -> JsonResponse:
    """`GET /tiles/{layer[,layer…]}.json`: TileJSON 3.0.0."""
    resolved = queries.catalogue_layers(request.user, parse_layer_list(layers))
    template = reverse("tile", kwargs={"layers": layers, "z": "0", "x": "0", "y": "0"})
    url = unquote(request.build_absolute_uri(template)).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    return JsonResponse(
        queries.tilejson(request.user, resolved, url), json_dumps_params={"ensure_ascii": False}
    )
