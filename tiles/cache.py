"""The server-side tile cache and its exact invalidation from the layer change feed.

Tiles are cached in both encodings (in memory as objects holding the plain and the gzipped
bytes, in Redis gzipped as nginx serves them) with the digest of their plain bytes, which the
strong ETags are made of. A change drops, for every layer it touches and every
prefix (composite, field variant) that layer is cached under, exactly the tiles at each zoom whose
envelope — widened by the MVT buffer, plus the simplification tolerance at that zoom — intersects
the old or new geometry. Nothing else is thrown away.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry.base import BaseGeometry

from layers import changes
from layers.changes import LayerChange
from tiles import catalogue
from tiles.bodies import CachedTile
from tiles.catalogue import TileLayer
from tiles.sql import BUFFER, EXTENT, metres_per_pixel
from tiles.stores import Coord, LocalStore, RedisStore, Store
from tiles.tms import MAX_ZOOM, ORIGIN_SHIFT, Tile

log = logging.getLogger(__name__)
# Below this many tiles in a change's range at a zoom the candidates are enumerated; above it,
# the store's index of what is cached is read instead (a city-wide polygon at z20).
ENUMERATE_LIMIT = 1024


def tile_range(bounds: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """Columns and rows (x0, y0, x1, y1) of the tiles at zoom z meeting a 3857 box."""
    size = 2 * ORIGIN_SHIFT / (1 << z)
    last = (1 << z) - 1

    def col(v: float) -> int:
        return min(max(int((v + ORIGIN_SHIFT) // size), 0), last)

    def row(v: float) -> int:
        return min(max(int((ORIGIN_SHIFT - v) // size), 0), last)

    minx, miny, maxx, maxy = bounds
    return col(minx), row(maxy), col(maxx), row(miny)


def touched(geometry: BaseGeometry, z: int, slack: float, cached: set[Coord] | None) -> list[Coord]:
    """Tiles at zoom z whose envelope widened by `slack` metres intersects the geometry.

    `cached` limits the answer to tiles known to be cached (needed when the range is huge).
    """
    minx, miny, maxx, maxy = geometry.bounds
    x0, y0, x1, y1 = tile_range((minx - slack, miny - slack, maxx + slack, maxy + slack), z)
    if cached is None:
        xs, ys = np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1))
        cand = np.column_stack([xs.ravel(), ys.ravel()])
    else:
        inside = [c for c in cached if x0 <= c[0] <= x1 and y0 <= c[1] <= y1]
        if not inside:
            return []
        cand = np.array(inside)
    size = 2 * ORIGIN_SHIFT / (1 << z)
    left = -ORIGIN_SHIFT + cand[:, 0] * size - slack
    top = ORIGIN_SHIFT - cand[:, 1] * size + slack
    boxes = shapely.box(left, top - size - 2 * slack, left + size + 2 * slack, top)
    shapely.prepare(geometry)
    hits = shapely.intersects(geometry, boxes)
    return [(int(x), int(y)) for x, y in cand[hits]]


def slack_for(entry: TileLayer, z: int) -> float:
    """How far outside a tile a feature can still draw into it, in metres at zoom z."""
    tile_size = 2 * ORIGIN_SHIFT / (1 << z)
    rule = entry.definition.rule_for(z)
    # One tile-grid unit more for ST_AsMVTGeom's snapping; tolerance for the simplified shape.
    pixels = (rule.tolerance if rule else 0.0) + 1.0
    return tile_size * (BUFFER + 1) / EXTENT + pixels * metres_per_pixel(z)


class TileCache:
    """Cached tiles plus the invalidation that keeps them exact."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cursor_lock = threading.Lock()

    # --- reads and writes ---------------------------------------------------------------------

    def get(self, prefix: str, tile: Tile) -> CachedTile | None:
        """The cached tile, or None on a miss."""
        value = self.store.get(prefix, tile.z, tile.x, tile.y)
        if value is None or isinstance(value, CachedTile):
            return value
        return CachedTile.decode(value)

    def epochs(self, layers: list[str]) -> list[int]:
        """Read before rendering; passed back to `put`."""
        return self.store.epochs(layers)

    def put(
        self,
        prefix: str,
        layers: list[str],
        tile: Tile,
        rendered: CachedTile | bytes,
        epochs: list[int],
    ) -> CachedTile:
        """Cache a rendered tile (both encodings) unless one of its layers changed meanwhile."""
        cached = CachedTile.of(rendered) if isinstance(rendered, bytes) else rendered
        cached.ready(gzip=True)
        self.store.put(prefix, layers, tile.z, tile.x, tile.y, cached, epochs)
        return cached

    # --- invalidation -------------------------------------------------------------------------

    def apply_pending(self) -> int:
        """Apply every change committed since this store's cursor; returns tiles dropped."""
        with self._cursor_lock:
            cursor = self.store.cursor()
            if cursor is None:  # a new, empty cache has nothing stale
                self.store.set_cursor(changes.newest_id())
                return 0
            dropped = 0
            while batch := changes.read_since(cursor):
                for change in batch:
                    dropped += self.invalidate(change)
                cursor = batch[-1].id
                self.store.set_cursor(cursor)
            return dropped

    def invalidate(self, change: LayerChange) -> int:
        """Drop exactly the cached tiles a change touches, in every prefix of its layers."""
        if not change.layers:
            return 0
        self.store.bump(change.layers)
        if change.operation.startswith(changes.CATALOGUE):
            catalogue.forget(set(change.layers))
        dropped = 0
        for slug in change.layers:
            entry = catalogue.lookup(slug)
            for prefix in self.store.prefixes(slug):
                dropped += self._drop_prefix(prefix, entry, change.geometry)
        if dropped:
            log.debug("change %s dropped %s tiles", change.id, dropped)
        return dropped

    def _drop_prefix(
        self, prefix: str, entry: TileLayer | None, geometry: BaseGeometry | None
    ) -> int:
        dropped = 0
        for z in range(MAX_ZOOM + 1):
            if geometry is None or entry is None:
                dropped += self.store.drop(prefix, z, self.store.cached(prefix, z))
                continue
            if geometry.is_empty or not entry.in_range(z):
                continue
            slack = slack_for(entry, z)
            x0, y0, x1, y1 = tile_range(geometry.bounds, z)
            many = (x1 - x0 + 3) * (y1 - y0 + 3) > ENUMERATE_LIMIT
            coords = touched(geometry, z, slack, self.store.cached(prefix, z) if many else None)
            dropped += self.store.drop(prefix, z, coords)
        return dropped

    def purge(self) -> int:
        """Drop every cached tile."""
        return self.store.clear()

    def purge_layers(self, slugs: set[str]) -> int:
        """Drop every cached tile that includes one of the layers."""
        self.store.bump(slugs)
        return sum(
            self._drop_prefix(prefix, None, None)
            for slug in slugs
            for prefix in self.store.prefixes(slug)
        )


_cache: TileCache | None = None
_cache_lock = threading.Lock()


def make_store() -> Store | None:
    """Redis when REDIS_URL is set, memory otherwise, none when the cache is switched off."""
    kind = settings.GEO_IOC_TILE_CACHE
    if kind == "off":
        return None
    if kind == "redis" or (kind == "auto" and settings.REDIS_URL):
        return RedisStore(settings.REDIS_URL or "redis://127.0.0.1:6379/0")
    return LocalStore(settings.GEO_IOC_TILE_CACHE_MB * 1024 * 1024)


def current_cache() -> TileCache | None:
    """The process's tile cache if it has been set up; never touches the database."""
    return _cache


def tile_cache() -> TileCache | None:
    """The process's tile cache, following the change feed from its first use."""
    global _cache
    if _cache is None:
        with _cache_lock:
            if _cache is None:
                store = make_store()
                if store is None:
                    return None
                cache = TileCache(store)
                cache.apply_pending()
                changes.subscribe(cache.apply_pending)
                changes.start_listener()
                _cache = cache
    return _cache
