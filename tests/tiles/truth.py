"""Independent truth for tile tests: what PostGIS says lies in a tile's envelope."""

from __future__ import annotations

from typing import Any

from django.db import connection
from psycopg import sql

from layers.models import Layer
from layers.sources import source_for
from tiles.sql import BUFFER, EXTENT
from tiles.tms import Tile, lonlat_to_tile

TEXT_TYPES = {"datetime", "date"}


def features_in_tile(
    layer: Layer, tile: Tile, field_names: list[str], min_size_m: float = 0.0
) -> dict[int, dict[str, Any]]:
    """Ids and non-null attributes of the features intersecting the buffered tile envelope.

    Uses an exact ST_Intersects in EPSG:4326 — not the server's bounding-box prefilter and
    clipping — so the comparison is against an independent query. `min_size_m` leaves out
    features whose Web Mercator bounding box is smaller than that both ways (generalisation).
    """
    rel = source_for(layer).relation()
    types = {f.name: f.type.value for f in layer.field_defs()}
    cols = [
        sql.SQL("{}::text").format(sql.Identifier(n))
        if types[n] in TEXT_TYPES
        else sql.Identifier(n)
        for n in field_names
    ]
    query = sql.SQL(
        "SELECT {id}{cols} FROM {rel}, Box2D(ST_Transform({g}, 3857)) b"
        " WHERE ST_Intersects({g}, ST_Transform("
        "ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(m)s), 4326))"
        " AND (%(s)s = 0 OR greatest(ST_XMax(b) - ST_XMin(b), ST_YMax(b) - ST_YMin(b)) >= %(s)s)"
    ).format(
        id=sql.Identifier(rel.id_column),
        cols=sql.SQL("").join(sql.SQL(", ") + c for c in cols),
        rel=rel.relation,
        g=sql.Identifier(rel.geom_column),
    )
    with connection.cursor() as cur:
        cur.execute(
            query.as_string(cur.connection),
            {"z": tile.z, "x": tile.x, "y": tile.y, "m": BUFFER / EXTENT, "s": min_size_m},
        )
        rows = cur.fetchall()
    return {
        int(row[0]): {n: v for n, v in zip(field_names, row[1:], strict=True) if v is not None}
        for row in rows
    }


def busy_tile(layer: Layer, z: int) -> Tile:
    """A tile at zoom z around the layer's median feature (so it is rarely empty)."""
    rel = source_for(layer).relation()
    query = sql.SQL(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface({g}) AS p FROM {rel}"
        " ORDER BY {id} OFFSET (SELECT count(*) / 2 FROM {rel}) LIMIT 1) s"
    ).format(g=sql.Identifier(rel.geom_column), rel=rel.relation, id=sql.Identifier(rel.id_column))
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        lon, lat = cur.fetchone()
    return lonlat_to_tile(float(lon), float(lat), z)
