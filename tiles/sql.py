"""The composite tile statement: every SQL layer's part in one SELECT, one round trip per tile.

Each part comes from its layer's source (`LayerSource.tile_layer`, built in
`layers.sources.mvt`); MVT layers concatenate, so the parts are joined with `||`.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql

from layers.sources.mvt import BUFFER, EXTENT, TILE_PIXELS, LayerQuery, layer_mvt, metres_per_pixel
from tiles.tms import Tile

__all__ = [
    "BUFFER",
    "EXTENT",
    "TILE_PIXELS",
    "LayerQuery",
    "composite",
    "layer_mvt",
    "metres_per_pixel",
    "tile_params",
    "tile_query",
]


def composite(parts: Sequence[sql.Composable]) -> sql.Composed:
    """One SELECT concatenating the layers' MVT parts (each a scalar subquery)."""
    return sql.SQL("SELECT {}").format(
        sql.SQL(" || ").join(sql.SQL("({})").format(p) for p in parts)
    )


def tile_query(layers: Sequence[LayerQuery], z: int) -> sql.Composed:
    """All layers of a (composite) tile concatenated in one statement: MVT layers append."""
    return composite([layer_mvt(q, z) for q in layers])


def tile_params(tile: Tile) -> dict[str, int]:
    """Bound parameters of a tile query."""
    return {"z": tile.z, "x": tile.x, "y": tile.y}
