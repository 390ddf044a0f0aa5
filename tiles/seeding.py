"""Tile lists over an area, and pre-rendering them into the cache."""

from __future__ import annotations

from collections.abc import Iterator

from pyproj import Transformer

from layers.access import User
from tiles import queries
from tiles.bodies import CachedTile
from tiles.cache import TileCache, tile_range
from tiles.catalogue import TileLayer
from tiles.tms import Tile

BBox = tuple[float, float, float, float]
_TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)


def union_extent(entries: list[TileLayer]) -> BBox | None:
    """The union of the layers' catalogue extents (lon/lat), None when none has one."""
    boxes = [e.layer.extent for e in entries if e.layer.extent]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def tiles_over(bbox: BBox, zooms: range) -> Iterator[Tile]:
    """Every tile of each zoom that meets a lon/lat box, row by row."""
    minx, miny = _TO_3857.transform(bbox[0], bbox[1])
    maxx, maxy = _TO_3857.transform(bbox[2], bbox[3])
    for z in zooms:
        x0, y0, x1, y1 = tile_range((minx, miny, maxx, maxy), z)
        for y in range(y0, y1 + 1):
            for x in range(x0, x1 + 1):
                yield Tile(z, x, y)


def parse_zooms(raw: str) -> range:
    """`10-16` or `14` into a range of zooms."""
    low, _, high = raw.partition("-")
    first, last = int(low), int(high or low)
    if not 0 <= first <= last <= 22:
        raise ValueError(f"zooms must be within 0-22 and ordered, got {raw!r}")
    return range(first, last + 1)


def seed_tile(cache: TileCache, user: User, slugs: list[str], tile: Tile) -> int:
    """Render one tile into the cache (public variant); returns its size in bytes."""
    entries = queries.resolve_layers(user, slugs)
    prefix = f"{','.join(slugs)}|public"
    epochs = cache.epochs(slugs)
    body, squeeze = queries.render_budgeted(user, entries, tile)
    cache.put(prefix, slugs, tile, CachedTile.of(body, squeeze), epochs)
    return len(body)
