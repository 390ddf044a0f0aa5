"""Reads of the tile service: tile bytes and TileJSON for one or several catalogue layers."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from typing import Any

import psycopg
import psycopg.errors
from django.conf import settings
from django.db import connection
from psycopg import sql

from layers.access import User, entry_fields, resolve_all
from layers.definitions import FieldDef
from layers.sources.mvt import LABEL_SUFFIX
from layers.styles import label_fields
from tiles import threads
from tiles.catalogue import TileLayer
from tiles.sql import composite, tile_params
from tiles.tms import Tile


def resolve_layers(user: User, slugs: list[str]) -> list[TileLayer]:
    """Catalogue entries for the slugs (from memory), each checked against the user's access."""
    return resolve_all(user, slugs)


def catalogue_layers(user: User, slugs: list[str]) -> list[TileLayer]:
    """Catalogue entries for TileJSON (from memory: extents are as fresh as the catalogue)."""
    return resolve_all(user, slugs)


# The text of a tile statement depends on the layers, their fields and the zoom, never on x and
# y (bound parameters): composing it costs about a millisecond, so it is kept. Keys hold the
# entries' identities and the values the entries themselves (so no identity is reused while
# cached); a reloaded catalogue entry is a new object, hence a new key.
STATEMENTS_KEPT = 512
_StatementKey = tuple[int, int, tuple[tuple[int, tuple[str, ...]], ...]]
# Steps of stricter generalisation the size budget may take before it gives up (each halves
# detail again: at the last, points sit in 256-px cells and areas under 64 px are gone).
MAX_SQUEEZE = 6
_statements: OrderedDict[_StatementKey, tuple[tuple[TileLayer, ...], str]] = OrderedDict()
_statements_lock = threading.Lock()


def _statement_text(
    entries: list[TileLayer], fields: list[list[FieldDef]], tile: Tile, squeeze: int
) -> str:
    z = tile.z
    names = [tuple(f.name for f in fs) for fs in fields]
    key = (z, squeeze, tuple((id(e), n) for e, n in zip(entries, names, strict=True)))
    with _statements_lock:
        found = _statements.get(key)
        if found is not None:
            _statements.move_to_end(key)
            return found[1]
    parts: list[sql.Composable] = []
    for entry, fs in zip(entries, fields, strict=True):
        part = entry.source.tile_layer(z, tile.x, tile.y, fs, squeeze)
        assert isinstance(part, sql.Composable), f"{entry.slug}: a SQL source returned bytes"
        parts.append(part)
    context = threads.lease()
    if context is None:
        connection.ensure_connection()
        context = connection.connection
    text = composite(parts).as_string(context)
    with _statements_lock:
        _statements[key] = (tuple(entries), text)
        while len(_statements) > STATEMENTS_KEPT:
            _statements.popitem(last=False)
    return text


def statement_for(
    user: User, layers: list[TileLayer], tile: Tile, squeeze: int = 0
) -> tuple[str, dict[str, int]] | None:
    """The SQL text and parameters of the tile's SQL layers, None when none draws at its zoom."""
    drawn = [e for e in layers if e.in_range(tile.z) and e.source.sql_tiles]
    if not drawn:
        return None
    fields = [entry_fields(user, entry) for entry in drawn]
    return _statement_text(drawn, fields, tile, squeeze), tile_params(tile)


def render_tile(user: User, layers: list[TileLayer], tile: Tile) -> bytes:
    """MVT bytes for the layers whose zoom range holds the tile, within the size budget."""
    return render_budgeted(user, layers, tile)[0]


def render_budgeted(user: User, layers: list[TileLayer], tile: Tile) -> tuple[bytes, int]:
    """The tile's bytes and how many steps of stricter generalisation kept it under the cap.

    The layers' own rules come first; a tile still over `GEO_IOC_TILE_MAX_BYTES` is rendered
    again with the same rules made stricter (`layers.sources.mvt.tightened`) until it fits.
    """
    cap = settings.GEO_IOC_TILE_MAX_BYTES
    squeeze = 0
    while True:
        body = _render(user, layers, tile, squeeze)
        if len(body) <= cap or squeeze >= MAX_SQUEEZE:
            return body, squeeze
        squeeze += 1


def budget_note(squeeze: int) -> str:
    """The `X-Tile-Budget` header of a tile the budget generalised harder."""
    return f"squeezed={squeeze}; max-bytes={settings.GEO_IOC_TILE_MAX_BYTES}"


def _render(user: User, layers: list[TileLayer], tile: Tile, squeeze: int) -> bytes:
    """MVT bytes for the layers whose zoom range holds the tile; empty when nothing is there.

    SQL sources render together in one statement (one round trip); a source that makes its own
    bytes (`sql_tiles` false) appends its MVT layer after them.
    """
    body = b""
    statement = statement_for(user, layers, tile, squeeze)
    if statement is not None:
        leased = threads.lease()
        if leased is not None:  # in a tile thread: straight on the pool's connection
            row = _execute_leased(leased, statement[0], tile)
        else:
            with connection.cursor() as cur:
                cur.execute(*statement)
                row = cur.fetchone()
        body = bytes(row[0]) if row and row[0] else b""
    for entry in layers:
        if entry.in_range(tile.z) and not entry.source.sql_tiles:
            part = entry.source.tile_layer(tile.z, tile.x, tile.y, entry_fields(user, entry))
            assert isinstance(part, bytes), f"{entry.slug}: a bytes source returned SQL"
            body += part
    return body


# Statements prepared per leased connection (PREPARE … AS, by a digest of the text): psycopg
# would parse a statement over 4 KB for its placeholders on every execution (a composite of the
# base map is), and Django keeps psycopg's own preparing off; EXECUTE is a short text.
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
PREPARED_KEPT = 256


def _execute_leased(conn: Any, text: str, tile: Tile) -> Any:
    """The statement's row on a leased connection: prepared once, then executed by name."""
    if not settings.GEO_IOC_TILE_PREPARE:
        with psycopg.Cursor(conn) as cur:
            return cur.execute(text, tile_params(tile)).fetchone()
    name = "geoioc_tile_" + hashlib.sha1(text.encode()).hexdigest()[:24]
    done = _prepared.setdefault(conn, set())
    execute = f"EXECUTE {name}({tile.z}, {tile.x}, {tile.y})"  # integers from parse_tile
    if name in done:
        try:
            return conn.execute(execute).fetchone()
        except psycopg.errors.InvalidSqlStatementName:  # the session forgot it (DISCARD)
            done.clear()
    if len(done) >= PREPARED_KEPT:
        conn.execute("DEALLOCATE ALL")
        done.clear()
    body = text.replace("%(z)s", "$1").replace("%(x)s", "$2").replace("%(y)s", "$3")
    conn.execute(f"PREPARE {name}(integer, integer, integer) AS {body.replace('%%', '%')}")
    done.add(name)
    return conn.execute(execute).fetchone()


def _union(extents: list[list[float]]) -> list[float]:
    if not extents:
        return [-180.0, -85.051129, 180.0, 85.051129]
    return [
        min(e[0] for e in extents),
        min(e[1] for e in extents),
        max(e[2] for e in extents),
        max(e[3] for e in extents),
    ]


def tilejson(user: User, entries: list[TileLayer], tiles_url: str) -> dict[str, Any]:
    """TileJSON 3.0.0 for one or several layers; each source gives its own `vector_layers` entry."""
    layers = [e.layer for e in entries]
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
            vector_layer
            for e in entries
            for vector_layer in _vector_layers(e, entry_fields(user, e))
        ],
    }


def _vector_layers(entry: TileLayer, fields: list[FieldDef]) -> list[dict[str, Any]]:
    """The layer's `vector_layers` entry, and its label points' when it has them."""
    own = entry.source.tilejson(fields)
    defn = entry.definition
    first = next(
        (z for z in range(defn.min_zoom, defn.max_zoom + 1) if label_fields(defn, z) is not None),
        None,
    )
    if first is None or not entry.source.sql_tiles:
        return [own]
    read = label_fields(defn, defn.max_zoom) or set()
    labels = {
        **own,
        "id": entry.slug + LABEL_SUFFIX,
        "description": f"{own['description']} (label points)",
        "minzoom": first,
        "fields": {k: v for k, v in own["fields"].items() if k in read},
    }
    return [own, labels]
