"""Reads of the tile service: tile bytes and TileJSON for one or several catalogue layers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.db import connection

from layers.access import User, get_visible_layer, visible_fields
from layers.models import Layer
from tiles import catalogue
from tiles.catalogue import TileLayer
from tiles.sql import LayerQuery, tile_params, tile_query
from tiles.tms import Tile


def resolve_layers(user: User, slugs: list[str]) -> list[TileLayer]:
    """Catalogue entries for the slugs (from memory), each checked against the user's access."""
    return [catalogue.visible(user, slug) for slug in slugs]


def catalogue_layers(user: User, slugs: list[str]) -> list[Layer]:
    """Fresh catalogue records for the slugs, each checked (TileJSON wants current extents)."""
    return [get_visible_layer(user, slug) for slug in slugs]


def _layer_query(user: User, entry: TileLayer, z: int) -> LayerQuery:
    """What one layer contributes at zoom z: the user's fields, thinned by the zoom's rule."""
    rule = entry.definition.rule_for(z)
    fields = catalogue.fields_for(user, entry)
    if rule is not None and rule.fields is not None:
        fields = [f for f in fields if f.name in rule.fields]
    return LayerQuery(name=entry.slug, relation=entry.relation, fields=fields, rule=rule)


# The text of a tile statement depends on the layers, their fields and the zoom, never on x and
# y (bound parameters): composing it costs about a millisecond, so it is kept. Keys hold the
# entries' identities and the values the entries themselves (so no identity is reused while
# cached); a reloaded catalogue entry is a new object, hence a new key.
STATEMENTS_KEPT = 512
_StatementKey = tuple[int, tuple[tuple[int, tuple[str, ...]], ...]]
_statements: OrderedDict[_StatementKey, tuple[tuple[TileLayer, ...], str]] = OrderedDict()
_statements_lock = threading.Lock()


def _statement_text(entries: list[TileLayer], queries: list[LayerQuery], z: int) -> str:
    fields = [tuple(f.name for f in q.fields) for q in queries]
    key = (z, tuple((id(e), names) for e, names in zip(entries, fields, strict=True)))
    with _statements_lock:
        found = _statements.get(key)
        if found is not None:
            _statements.move_to_end(key)
            return found[1]
    connection.ensure_connection()
    text = tile_query(queries, z).as_string(connection.connection)
    with _statements_lock:
        _statements[key] = (tuple(entries), text)
        while len(_statements) > STATEMENTS_KEPT:
            _statements.popitem(last=False)
    return text


def statement_for(
    user: User, layers: list[TileLayer], tile: Tile
) -> tuple[str, dict[str, int]] | None:
    """The SQL text and parameters of a tile, None when no layer draws at its zoom."""
    drawn = [entry for entry in layers if entry.in_range(tile.z)]
    if not drawn:
        return None
    queries = [_layer_query(user, entry, tile.z) for entry in drawn]
    return _statement_text(drawn, queries, tile.z), tile_params(tile)


def render_tile(user: User, layers: list[TileLayer], tile: Tile) -> bytes:
    """MVT bytes for the layers whose zoom range holds the tile; empty when nothing is there."""
    statement = statement_for(user, layers, tile)
    if statement is None:
        return b""
    with connection.cursor() as cur:
        cur.execute(*statement)
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
