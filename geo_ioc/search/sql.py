"""SQL builders of the place search: one UNION ALL over the catalogue layers that have names.

Names are compared lower-cased and without diacritics (`unaccent`: "Đà Lạt" = "da lat"); every
word of the query must occur. A match ranks 0 when the whole name equals the query, 1 when the
name starts with it, 2 when a word of the name does, 3 otherwise. Layer, table and column names
come from the catalogue and go through `sql.Identifier`; the query text is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from layers.sources import SqlRelation

COLUMNS = (
    "kind",
    "layer",
    "id",
    "title",
    "title_en",
    "lon",
    "lat",
    "xmin",
    "ymin",
    "xmax",
    "ymax",
    "rank",
    "features",
)

# The query, normalised once: `q` for equality, `qlike` escaped for LIKE, `pats` one per word.
PARAMS_CTE = sql.SQL(
    "WITH q AS (SELECT lower(unaccent(%(q)s)) AS q, lower(unaccent(%(qlike)s)) AS qlike,"
    " ARRAY(SELECT '%%' || lower(unaccent(w)) || '%%' FROM unnest(%(words)s::text[]) w) AS pats)"
)


@dataclass(frozen=True)
class NamedLayer:
    """A catalogue layer searched by name: its relation, name columns and how to group it."""

    slug: str
    relation: SqlRelation
    name: str
    name_en: str | None
    group_by_name: bool  # lines: one result per street name, not per segment


def escape_like(text: str) -> str:
    """The text with LIKE's wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rank(n: sql.Composable) -> sql.Composed:
    return sql.SQL(
        "CASE WHEN {n} = q.q THEN 0 WHEN {n} LIKE q.qlike || '%%' THEN 1"
        " WHEN {n} LIKE '%% ' || q.qlike || '%%' THEN 2 ELSE 3 END"
    ).format(n=n)


def _matches(layer: NamedLayer) -> sql.Composed:
    """Rows of the layer whose name holds every word, with their rank."""
    rel = layer.relation
    name = sql.SQL("t.{}").format(sql.Identifier(layer.name))
    name_en = (
        sql.SQL("t.{}::text").format(sql.Identifier(layer.name_en))
        if layer.name_en
        else sql.SQL("NULL::text")
    )
    n = sql.SQL("nn.n")
    return sql.SQL(
        "SELECT t.{id}::text AS id, {name}::text AS title, {name_en} AS title_en,"
        " t.{geom} AS geom, {rank} AS rank"
        " FROM {rel} t CROSS JOIN q, LATERAL (SELECT lower(unaccent({name}::text)) AS n) nn"
        " WHERE {name} IS NOT NULL AND {n} LIKE ALL (q.pats)"
    ).format(
        id=sql.Identifier(rel.id_column),
        name=name,
        name_en=name_en,
        geom=sql.Identifier(rel.geom_column),
        rank=_rank(n),
        rel=rel.relation,
        n=n,
    )


def layer_select(layer: NamedLayer, limit: int) -> sql.Composed:
    """The best `limit` matches of one layer, in the common result columns."""
    if layer.group_by_name:
        # A street is many segments: one result, placed on the street near its middle.
        mid = sql.SQL("ST_ClosestPoint(ST_Collect(m.geom), ST_Centroid(ST_Collect(m.geom)))")
        return sql.SQL(
            "(SELECT 'street' AS kind, {slug} AS layer, min(m.id) AS id, m.title,"
            " min(m.title_en) AS title_en, ST_X({mid}) AS lon, ST_Y({mid}) AS lat,"
            " ST_XMin(ST_Extent(m.geom)) AS xmin, ST_YMin(ST_Extent(m.geom)) AS ymin,"
            " ST_XMax(ST_Extent(m.geom)) AS xmax, ST_YMax(ST_Extent(m.geom)) AS ymax,"
            " min(m.rank) AS rank, count(*) AS features"
            " FROM ({matches}) m GROUP BY m.title"
            " ORDER BY min(m.rank), length(m.title) LIMIT {limit})"
        ).format(
            slug=sql.Literal(layer.slug), mid=mid, matches=_matches(layer), limit=sql.Literal(limit)
        )
    return sql.SQL(
        "(SELECT 'place' AS kind, {slug} AS layer, m.id, m.title, m.title_en,"
        " ST_X(p.p) AS lon, ST_Y(p.p) AS lat, ST_XMin(m.geom) AS xmin, ST_YMin(m.geom) AS ymin,"
        " ST_XMax(m.geom) AS xmax, ST_YMax(m.geom) AS ymax, m.rank, 1 AS features"
        " FROM ({matches}) m, LATERAL (SELECT ST_PointOnSurface(m.geom) AS p) p"
        " ORDER BY m.rank, length(m.title), m.id LIMIT {limit})"
    ).format(slug=sql.Literal(layer.slug), matches=_matches(layer), limit=sql.Literal(limit))


def places_query(layers: list[NamedLayer], limit: int) -> sql.Composed:
    """One statement: the best matches of every layer (the caller merges and ranks them)."""
    parts = [layer_select(layer, limit) for layer in layers]
    return sql.SQL("{cte} {union}").format(cte=PARAMS_CTE, union=sql.SQL(" UNION ALL ").join(parts))
