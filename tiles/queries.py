"""Reads of the tile service: tile bytes and TileJSON for one or several catalogue layers."""

from __future__ import annotations

from typing import Any

from django.db import connection

from layers.access import User, get_visible_layer, visible_fields
from layers.models import Layer
from layers.sources import source_for
from tiles.sql import LayerQuery, tile_params, tile_query
from tiles.tms import Tile


def resolve_layers(user: User, slugs: list[str]) -> list[Layer]:
    """Catalogue entries for the slugs, each checked against the user's access."""
    return [get_visible_layer(user, slug) for slug in slugs]


def layer_query(user: User, layer: Layer) -> LayerQuery:
    """What one layer contributes to a tile for this user (restricted fields left out)."""
    return LayerQuery(
        name=layer.slug, relation=source_for(layer).relation(), fields=visible_fields(user, layer)
    )


def render_tile(user: User, layers: list[Layer], tile: Tile) -> bytes:
    """MVT bytes for the layers whose zoom range holds the tile; empty when nothing is there."""
    queries = [
        layer_query(user, layer) for layer in layers if layer.min_zoom <= tile.z <= layer.max_zoom
    ]
    if not queries:
        return b""
    with connection.cursor() as cur:
        cur.execute(tile_query(queries).as_string(cur.connection), tile_params(tile))
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] else b""


_JSON_TYPES = {
    "string": "String",
    "integer": "Number",
    "number": "Number",
    "boolean": "Boolean",
    "datetime": "String",
    "date": "String",
}


def _union(extents: list[list[float]]) -> list[float]:
    if not extents:
        return [-180.0, -85.051129, 180.0, 85.051129]
    return [
        min(e[0] for e in extents),
        min(e[1] for e in extents),
        max(e[2] for e in extents),
        max(e[3] for e in extents),
    ]


def tilejson(user: User, layers: list[Layer], tiles_url: str) -> dict[str, Any]:
    """TileJSON 3.0.0 for one or several layers."""
    bounds = _union([list(layer.extent) for layer in layers if layer.extent])
    minzoom = min(layer.min_zoom for layer in layers)
    maxzoom = max(layer.max_zoom for layer in layers)
    center_zoom = max(minzoom, min(maxzoom, 13))
    attributions = list(dict.fromkeys(layer.attribution for layer in layers if layer.attribution))
    return {
        "tilejson": "3.0.0",
        "name": ",".join(layer.slug for layer in layers),
        "description": " · ".join(layer.title_en for layer in layers),
        "attribution": " | ".join(attributions),
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, center_zoom],
        "vector_layers": [
            {
                "id": layer.slug,
                "description": layer.title_en,
                "minzoom": layer.min_zoom,
                "maxzoom": layer.max_zoom,
                "fields": {f.name: _JSON_TYPES[f.type.value] for f in visible_fields(user, layer)},
            }
            for layer in layers
        ],
    }
