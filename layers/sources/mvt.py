"""Builders of a layer's MVT SQL: pure functions, names as identifiers, tile address bound.

The text depends on the layer, its fields and the zoom, never on x and y (%(z)s, %(x)s, %(y)s
are bound), so a composite tile of several layers is one statement, one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from layers.definitions import CLUSTER_CELLS, FieldDef, ZoomRule
from layers.sources.relation import SqlRelation

# Half the side of the EPSG:3857 square (the tile grid's origin shift), metres.
ORIGIN_SHIFT = 20037508.342789244

EXTENT = 4096
BUFFER = 64
# Generalisation lengths are pixels of a 512-px tile, as MapLibre draws vector tiles.
TILE_PIXELS = 512
# The MVT layer of an area layer's label points is named `{slug}{LABEL_SUFFIX}`.
LABEL_SUFFIX = "_label"
# Attributes an over-budget tile keeps longest (what labels and default styles read).
KEPT_FIELDS = ("name", "ten", "type", "kind", "class", "loai")


@dataclass(frozen=True)
class LayerQuery:
    """One MVT layer of a tile: where its rows are, which fields it carries, how it is thinned."""

    name: str
    relation: SqlRelation
    fields: Sequence[FieldDef]
    rule: ZoomRule | None = None
    # An area layer's label points (one per feature, in the tile that holds it) travel too,
    # with the fields their text reads; None: no label points.
    labels: Sequence[FieldDef] | None = None


def metres_per_pixel(z: int) -> float:
    """Ground size of one pixel of a 512-px tile at zoom z, in EPSG:3857 metres."""
    return 2 * ORIGIN_SHIFT / (TILE_PIXELS * (1 << z))


def tightened(rule: ZoomRule | None, squeeze: int, geometry: str, z: int) -> ZoomRule | None:
    """The rule one over-budget step `squeeze` (1, 2, …) stricter, by the same four means.

    Points cluster in cells twice as large per step (from 16 px); lines and areas are simplified
    and filtered by size twice as hard per step; from step 2 only the fields labels read stay.
    """
    if squeeze <= 0:
        return rule
    base = rule or ZoomRule(zooms=(z, z))
    fields = base.fields
    if squeeze >= 2:
        kept = [f for f in (fields or KEPT_FIELDS) if f in KEPT_FIELDS]
        fields = kept
    if geometry.removeprefix("Multi") == "Point":
        start = CLUSTER_CELLS.index(base.cluster) + 1 if base.cluster else 0
        cell = CLUSTER_CELLS[min(start + squeeze - 1, len(CLUSTER_CELLS) - 1)]
        return base.model_copy(update={"cluster": cell, "fields": fields})
    return base.model_copy(
        update={
            "tolerance": min(max(base.tolerance, 0.5) * 2**squeeze, 64.0),
            "min_size": min(max(base.min_size, 0.5) * 2**squeeze, 256.0),
            "fields": fields,
        }
    )


def _size_filter(g: sql.Composable, rule: ZoomRule | None, z: int) -> sql.Composable:
    """Drop features whose bounding box is under `min_size` px both ways (cheap: bbox only)."""
    if rule is None or rule.min_size <= 0:
        return sql.SQL("")
    size = sql.Literal(rule.min_size * metres_per_pixel(z))
    return sql.SQL(
        " AND (ST_XMax({g}) - ST_XMin({g}) >= {s} OR ST_YMax({g}) - ST_YMin({g}) >= {s})"
    ).format(g=g, s=size)


def _simplified(g: sql.Composable, rule: ZoomRule | None, z: int) -> sql.Composable:
    if rule is None or rule.tolerance <= 0:
        return g
    return sql.SQL("ST_Simplify({}, {})").format(
        g, sql.Literal(rule.tolerance * metres_per_pixel(z))
    )


_ENVELOPE = sql.SQL("ST_TileEnvelope(%(z)s, %(x)s, %(y)s)")


def _features(q: LayerQuery, z: int) -> sql.Composed:
    """One row per feature, geometry already in tile coordinates.

    Rows are picked by a bounding-box test (`&&`) against the envelope widened by the buffer:
    exact intersection tests cost more than they save. The feature id travels as the MVT id.
    """
    rel = q.relation
    cols = sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(f.name)) for f in q.fields)
    return sql.SQL(
        "SELECT {id} AS __fid, {cols}"
        "ST_AsMVTGeom({geom}, {env}, {extent}, {buffer}, true) AS __geom FROM {rel}"
        " WHERE {g} && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {margin}){size}"
    ).format(
        id=sql.Identifier(rel.id_column),
        cols=cols,
        geom=_simplified(rel.geom_3857, q.rule, z),
        env=_ENVELOPE,
        extent=sql.Literal(EXTENT),
        buffer=sql.Literal(BUFFER),
        rel=rel.relation,
        g=rel.geom_3857,
        margin=sql.Literal(BUFFER / EXTENT),
        size=_size_filter(rel.geom_3857, q.rule, z),
    )


def _clusters(q: LayerQuery, cell_px: int, z: int) -> sql.Composed:
    """One row per grid cell holding points: their mean position and `point_count`.

    The grid is aligned on tile edges (origin shifted by half a cell, as ST_SnapToGrid rounds to
    the nearest node), so a cluster depends only on the points of its own cell.
    """
    rel = q.relation
    cell = cell_px * metres_per_pixel(z)
    origin = sql.Literal(-ORIGIN_SHIFT + cell / 2)
    cols = sql.SQL("").join(
        sql.SQL("CASE WHEN count(*) = 1 THEN (array_agg({f}))[1] END AS {f}, ").format(
            f=sql.Identifier(f.name)
        )
        for f in q.fields
    )
    return sql.SQL(
        "SELECT min({id}) AS __fid, count(*)::integer AS point_count, {cols}"
        "ST_AsMVTGeom(ST_Centroid(ST_Collect({g})), {env}, {extent}, {buffer}, true) AS __geom"
        " FROM {rel} WHERE {g} && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {margin})"
        " GROUP BY ST_SnapToGrid({g}, {origin}, {origin}, {cell}, {cell})"
    ).format(
        id=sql.Identifier(rel.id_column),
        cols=cols,
        g=rel.geom_3857,
        env=_ENVELOPE,
        extent=sql.Literal(EXTENT),
        buffer=sql.Literal(BUFFER),
        rel=rel.relation,
        margin=sql.Literal(BUFFER / EXTENT),
        origin=origin,
        cell=sql.Literal(cell),
    )


def _label_points(q: LayerQuery, z: int) -> sql.Composed:
    """One point per feature, on its surface, in the one tile whose envelope holds it.

    The point is taken on the whole (unsimplified) geometry, so every tile agrees on it; the
    half-open test (left and bottom edges in, right and top out) puts a point on a shared edge
    in one tile only. A map then labels a ward once, not once per tile piece.
    """
    rel = q.relation
    cols = sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(f.name)) for f in q.labels or ())
    return sql.SQL(
        "SELECT {id} AS __fid, {cols}ST_AsMVTGeom(__p, {env}, {extent}, 0, false) AS __geom"
        " FROM {rel} CROSS JOIN LATERAL (SELECT ST_PointOnSurface({g}) AS __p) __l"
        " WHERE {g} && {env}{size}"
        " AND ST_X(__p) >= ST_XMin({env}) AND ST_X(__p) < ST_XMax({env})"
        " AND ST_Y(__p) > ST_YMin({env}) AND ST_Y(__p) <= ST_YMax({env})"
    ).format(
        id=sql.Identifier(rel.id_column),
        cols=cols,
        env=_ENVELOPE,
        extent=sql.Literal(EXTENT),
        rel=rel.relation,
        g=rel.geom_3857,
        size=_size_filter(rel.geom_3857, q.rule, z),
    )


def _as_mvt(name: str, rows: sql.Composable) -> sql.Composed:
    # Ordered by feature id: row order otherwise follows the plan (a prepared statement's generic
    # plan, a hash aggregate, a parallel scan), and the same tile would come out as different
    # bytes from two connections or workers: different ETags, and caches that never agree.
    return sql.SQL(
        "SELECT COALESCE(ST_AsMVT(t, {name}, {extent}, '__geom', '__fid' ORDER BY __fid),"
        " ''::bytea)"
        " FROM ({rows}) t WHERE __geom IS NOT NULL"
    ).format(name=sql.Literal(name), extent=sql.Literal(EXTENT), rows=rows)


def layer_mvt(q: LayerQuery, z: int) -> sql.Composed:
    """SELECT returning one layer's MVT bytes (and its label points') for %(z)s/%(x)s/%(y)s."""
    rows = _clusters(q, q.rule.cluster, z) if q.rule and q.rule.cluster else _features(q, z)
    main = _as_mvt(q.name, rows)
    if q.labels is None:
        return main
    labels = _as_mvt(q.name + LABEL_SUFFIX, _label_points(q, z))
    return sql.SQL("SELECT ({}) || ({})").format(main, labels)
