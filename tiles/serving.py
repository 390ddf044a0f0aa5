"""One tile answer, shared by the Django view and the ASGI fast path (`tiles.fastpath`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from layers.access import User
from tiles import catalogue, queries
from tiles.bodies import CachedTile
from tiles.cache import TileCache, tile_cache
from tiles.catalogue import TileLayer
from tiles.http import BUDGET_HEADER, tile_response
from tiles.tms import Tile

VARY = "Accept-Encoding, Authorization, Cookie"


def cache_prefix(user: User, entries: list[TileLayer]) -> str:
    """Where the user's tile of these layers is cached: the layer list and the field variant."""
    fields = [catalogue.fields_for(user, e) for e in entries]
    return f"{','.join(e.slug for e in entries)}|{catalogue.variant(fields, entries)}"


def cached_tile(
    user: User,
    entries: list[TileLayer],
    tile: Tile,
    *,
    gzip: bool = True,
    prefix: str | None = None,
) -> tuple[CachedTile, bool]:
    """The tile from the cache, or rendered (and cached); True when it was a hit.

    The returned tile holds the encoding asked for (`gzip`), so answering is no further work.
    Without a cache the tile is compressed only for a client that takes gzip. `prefix` is
    `cache_prefix(user, entries)` when the caller has it already.
    """
    cache = tile_cache()
    if cache is None:
        return CachedTile.of(*queries.render_budgeted(user, entries, tile), gzip=gzip), False
    prefix = prefix or cache_prefix(user, entries)
    hit = cache.get(prefix, tile)
    if hit is not None:
        return hit.ready(gzip), True
    return render_into(cache, prefix, user, entries, tile), False


def render_into(
    cache: TileCache, prefix: str, user: User, entries: list[TileLayer], tile: Tile
) -> CachedTile:
    """Render a tile and cache it (unless one of its layers changed while it was rendered)."""
    rendered, epochs = render_fresh(cache, user, entries, tile, gzip=True)
    return cache.put(prefix, [e.slug for e in entries], tile, rendered, epochs)


def render_fresh(
    cache: TileCache, user: User, entries: list[TileLayer], tile: Tile, *, gzip: bool
) -> tuple[CachedTile, list[int]]:
    """A rendered tile in the encoding asked for, and the layers' epochs read before it.

    For a caller that answers first and caches afterwards (`TileCache.put` with these epochs:
    a change committed meanwhile keeps the tile out of the cache).
    """
    epochs = cache.epochs([e.slug for e in entries])
    return CachedTile.of(*queries.render_budgeted(user, entries, tile), gzip=gzip), epochs


def cache_control(user: User, entries: list[TileLayer]) -> str:
    """Shortest lifetime of the layers; `public` only when anyone may see all of them."""
    max_age = min(e.layer.cache_max_age for e in entries)
    shared = not user.is_authenticated and all(catalogue.is_public(e) for e in entries)
    return f"{'public' if shared else 'private'}, max-age={max_age}"


def tile_reply(
    request: HttpRequest, user: User, entries: list[TileLayer], tile: CachedTile, hit: bool
) -> HttpResponse:
    """The tile's HTTP response: body or 204/304, ETag, Cache-Control, Vary, X-Tile-Cache."""
    response = tile_response(request, tile)
    response["Cache-Control"] = cache_control(user, entries)
    response["Vary"] = VARY
    response["X-Tile-Cache"] = "hit" if hit else "miss"
    if tile.squeeze:
        response[BUDGET_HEADER] = queries.budget_note(tile.squeeze)
    return response
