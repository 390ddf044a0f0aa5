"""Builders of the MVT SQL: one statement, one round trip per tile, values as parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from layers.definitions import FieldDef
from layers.sources import SqlRelation
from tiles.tms import Tile

EXTENT = 4096
BUFFER = 64


@dataclass(frozen=True)
class LayerQuery:
    """One MVT layer of a tile: where its rows are and which fields it carries."""

    name: str
    relation: SqlRelation
    fields: Sequence[FieldDef]


def layer_mvt(q: LayerQuery) -> sql.Composed:
    """SELECT returning one layer's MVT bytes for the tile in %(z)s/%(x)s/%(y)s.

    Rows are picked by a bounding-box test (`&&`) against the envelope widened by the buffer:
    exact intersection tests cost more than they save. The feature id travels as the MVT id.
    """
    rel = q.relation
    cols = sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(f.name)) for f in q.fields)
    margin = sql.Literal(BUFFER / EXTENT)
    return sql.SQL(
        "SELECT COALESCE(ST_AsMVT(t, {name}, {extent}, '__geom', '__fid'), ''::bytea) FROM ("
        "SELECT {id} AS __fid, {cols}"
        "ST_AsMVTGeom({g}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {extent}, {buffer}, true)"
        " AS __geom FROM {rel}"
        " WHERE {g} && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {margin})"
        ") t WHERE __geom IS NOT NULL"
    ).format(
        name=sql.Literal(q.name),
        extent=sql.Literal(EXTENT),
        buffer=sql.Literal(BUFFER),
        id=sql.Identifier(rel.id_column),
        cols=cols,
        g=rel.geom_3857,
        rel=rel.relation,
        margin=margin,
    )


def tile_query(layers: Sequence[LayerQuery]) -> sql.Composed:
    """All layers of a (composite) tile concatenated in one statement: MVT layers append."""
    parts = [sql.SQL("({})").format(layer_mvt(q)) for q in layers]
    return sql.SQL("SELECT {}").format(sql.SQL(" || ").join(parts))


def tile_params(tile: Tile) -> dict[str, int]:
    """Bound parameters of a tile query."""
    return {"z": tile.z, "x": tile.x, "y": tile.y}
