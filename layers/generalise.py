"""Per-zoom generalisation derived from a layer's data, so that no tile of it is unbounded.

For each zoom the features are binned into tiles by the centre of their bounding box and the
densest tiles are priced in MVT bytes (a point costs its id, geometry and tags; a line or an
area its vertices, fewer once simplified, never more than its size in pixels allows). The
weakest rung of a ladder of rules that brings the densest tile under `TARGET_BYTES` is that
zoom's rule: simplification and a minimum size in pixels for lines and areas (slivers and sheds
go first, large buildings and long roads stay), point clusters with a `point_count`, and, from
the fourth rung, only the fields worth their bytes at that zoom (names and categories). Equal
neighbouring zooms merge into one `ZoomRule`. The serve-time budget (`tiles.queries`) applies
the same means harder to a tile that still exceeds the cap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection
from psycopg import sql

from layers.definitions import FieldDef, FieldType, LayerDefinition, ZoomRule
from layers.sources.mvt import KEPT_FIELDS, ORIGIN_SHIFT, TILE_PIXELS, metres_per_pixel
from layers.sources.relation import SqlRelation

# What one layer may weigh in its densest tile: a third of the 500 KB cap, so that a composite
# of the base layers stays under it too.
TARGET_BYTES = 160 * 1024
# Above this zoom features are as large on screen as they are going to get.
LAST_ZOOM = 18
# Rungs for lines and areas: (tolerance px, min_size px); fields are trimmed from rung 3.
LINE_RUNGS = ((0.0, 0.0), (0.5, 0.0), (1.0, 0.5), (1.0, 1.0), (1.0, 2.0), (1.5, 4.0),
              (2.0, 8.0), (2.0, 16.0), (3.0, 32.0), (4.0, 64.0))  # fmt: skip
TRIM_FROM_RUNG = 3
# Points: no clustering, then cells of 16 and 32 px (a 16-px grid holds at most 1024 cells).
POINT_RUNGS = (None, 16, 32)
# More points than this in a tile (one per 8 x 8 px) are a smear, whatever they weigh: cluster.
MAX_POINTS = 4096
# A field with at most this many distinct values is a category worth keeping at low zoom.
CATEGORY_VALUES = 32
# MVT bytes per tag (key and value index) and per vertex (zig-zag varint pair), roughly.
TAG_BYTES = 2.5
VERTEX_BYTES = 2.2
# The estimates above run below the rendered tiles for dense small areas (the 200k-building
# city's densest tiles: 1.2x at z12, up to 2x at z14-16, where vertex steps take two bytes and
# buildings on tile edges count twice): a rule is taken only when its estimate with this
# margin is under the target (a third of the cap; the serve-time budget catches the rest).
ESTIMATE_MARGIN = 1.15


@dataclass(frozen=True)
class Sample:
    """What the derivation knows of each feature: bbox centre and size (3857 m) and vertices."""

    x: np.ndarray
    y: np.ndarray
    width: np.ndarray
    height: np.ndarray
    points: np.ndarray


def sample(relation: SqlRelation) -> Sample:
    """Every feature's bounding box and vertex count, in one scan."""
    g = relation.geom_3857
    query = sql.SQL(
        "SELECT (ST_XMin({g}) + ST_XMax({g})) / 2, (ST_YMin({g}) + ST_YMax({g})) / 2,"
        " ST_XMax({g}) - ST_XMin({g}), ST_YMax({g}) - ST_YMin({g}), ST_NPoints({g})"
        " FROM {rel} WHERE {g} IS NOT NULL"
    ).format(g=g, rel=relation.relation)
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        rows = np.array(cur.fetchall(), dtype=float).reshape(-1, 5)
    return Sample(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4])


@dataclass(frozen=True)
class FieldCosts:
    """What attributes weigh per feature in a tile, all of them and the ones kept at low zoom."""

    kept: list[str]
    all_bytes: float
    kept_bytes: float


def field_costs(relation: SqlRelation, fields: list[FieldDef], count: int) -> FieldCosts:
    """Per-feature tag bytes of the fields: a tag, plus its value where values are unique.

    An MVT layer stores each distinct value once, so a category costs its tag and a name or a
    note its text. Kept at low zoom: names, and categories (few distinct values).
    """
    if not fields or not count:
        return FieldCosts([], 0.0, 0.0)
    stats = sql.SQL(", ").join(
        sql.SQL("count(DISTINCT {f}), coalesce(avg(octet_length({f}::text)), 0)").format(
            f=sql.Identifier(f.name)
        )
        for f in fields
    )
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT {} FROM {}").format(stats, relation.relation).as_string(cur.connection)
        )
        row = cur.fetchone()
    kept: list[str] = []
    all_bytes = kept_bytes = 0.0
    for i, f in enumerate(fields):
        distinct, length = int(row[2 * i]), float(row[2 * i + 1])
        cost = TAG_BYTES + min(distinct / count, 1.0) * (length + 1)
        all_bytes += cost
        if f.name in KEPT_FIELDS or (
            distinct <= CATEGORY_VALUES and f.type in (FieldType.STRING, FieldType.INTEGER)
        ):
            kept.append(f.name)
            kept_bytes += cost
    return FieldCosts(kept, all_bytes, kept_bytes)


def _densest(cost: np.ndarray, tiles: np.ndarray) -> float:
    """Bytes of the heaviest tile, features binned by `tiles` (inverse indexes)."""
    return float(np.bincount(tiles, weights=cost).max()) if len(cost) else 0.0


def _tiles(s: Sample, z: int) -> np.ndarray:
    size = 2 * ORIGIN_SHIFT / (1 << z)
    cols = np.floor((s.x + ORIGIN_SHIFT) / size).astype(np.int64)
    rows = np.floor((ORIGIN_SHIFT - s.y) / size).astype(np.int64)
    return np.unique(cols * (1 << 24) + rows, return_inverse=True)[1].ravel()


def _point_rule(s: Sample, z: int, tiles: np.ndarray, costs: FieldCosts) -> ZoomRule | None:
    per_point = 6 + costs.all_bytes
    counts = np.bincount(tiles)
    for cell in POINT_RUNGS:
        if cell is None:
            if counts.max() > MAX_POINTS:
                continue
            heaviest = float(counts.max()) * per_point
        else:
            cells = (TILE_PIXELS // cell) ** 2
            heaviest = float(np.minimum(counts, cells).max()) * (per_point + 4)
        if heaviest * ESTIMATE_MARGIN <= TARGET_BYTES:
            return None if cell is None else ZoomRule(zooms=(z, z), cluster=cell)
    return ZoomRule(zooms=(z, z), cluster=POINT_RUNGS[-1])


def _shape_rule(s: Sample, z: int, tiles: np.ndarray, costs: FieldCosts) -> ZoomRule | None:
    px = metres_per_pixel(z)
    w, h = s.width / px, s.height / px
    outline = 2 * (w + h)
    rungs = list(enumerate(LINE_RUNGS))
    for rung, (tolerance, min_size) in rungs:
        tags = costs.kept_bytes if rung >= TRIM_FROM_RUNG else costs.all_bytes
        # Tile coordinates snap to 1/8 px, so even an unsimplified shape has that many vertices.
        vertices = np.minimum(s.points, 2 + outline / max(tolerance, 0.125))
        cost = 8 + tags + VERTEX_BYTES * vertices
        shown = (w >= min_size) | (h >= min_size)
        heaviest = _densest(np.where(shown, cost, 0.0), tiles) * ESTIMATE_MARGIN
        if heaviest <= TARGET_BYTES or rung == len(rungs) - 1:
            if rung == 0:
                return None
            return ZoomRule(
                zooms=(z, z),
                tolerance=tolerance,
                min_size=min_size,
                fields=costs.kept if rung >= TRIM_FROM_RUNG else None,
            )
    return None  # not reached: the last rung always returns


def derive_rules(
    defn: LayerDefinition, relation: SqlRelation, fields: list[FieldDef] | None = None
) -> list[ZoomRule]:
    """The per-zoom rules the data needs, merged over equal neighbouring zooms."""
    s = sample(relation)
    if not len(s.x):
        return []
    fields = list(defn.fields) if fields is None else fields
    point = defn.geometry_type.value.removeprefix("Multi") == "Point"
    costs = field_costs(relation, fields, len(s.x))
    merged: list[ZoomRule] = []
    for z in range(defn.min_zoom, min(defn.max_zoom, LAST_ZOOM) + 1):
        tiles = _tiles(s, z)
        rule = _point_rule(s, z, tiles, costs) if point else _shape_rule(s, z, tiles, costs)
        if rule is None:
            continue
        last = merged[-1] if merged else None
        if last is not None and last.zooms[1] == z - 1 and _same(last, rule):
            merged[-1] = last.model_copy(update={"zooms": (last.zooms[0], z)})
        else:
            merged.append(rule)
    return merged


def _same(a: ZoomRule, b: ZoomRule) -> bool:
    return a.model_dump(exclude={"zooms"}) == b.model_dump(exclude={"zooms"})


def describe(rules: list[ZoomRule]) -> list[str]:
    """One line per rule, as the CLI prints them."""
    out = []
    for r in rules:
        parts = [f"z{r.zooms[0]}-{r.zooms[1]}"]
        if r.cluster:
            parts.append(f"cluster {r.cluster} px")
        if r.tolerance:
            parts.append(f"simplify {r.tolerance:g} px")
        if r.min_size:
            parts.append(f"min size {r.min_size:g} px")
        if r.fields is not None:
            parts.append(f"fields {', '.join(r.fields) or '(none)'}")
        out.append("  ".join(parts))
    return out
