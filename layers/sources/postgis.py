"""Sources whose rows sit in one PostGIS relation: tile parts, features, counts and extents.

All of it goes through small pure SQL builders (`layers.sources.mvt`, `layers.ogc.sql`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection
from psycopg import sql

from layers.definitions import FieldDef
from layers.ogc import sql as features_sql
from layers.ogc.crs import Crs
from layers.sources.base import Extent, FeaturePage, LayerSource
from layers.sources.mvt import LayerQuery, layer_mvt
from layers.sources.relation import SqlRelation
from layers.styles import label_fields

if TYPE_CHECKING:
    from layers.ogc.plan import Plan


class SqlSource(LayerSource):
    """Rows of one relation with an id column and an EPSG:4326 geometry column."""

    sql_tiles = True
    supports_features = True
    has_relation = True
    _relation: SqlRelation | None = None

    def relation(self) -> SqlRelation:
        """The relation and columns to select from (worked out once per source object)."""
        if self._relation is None:
            self._relation = self.find_relation()
        return self._relation

    def find_relation(self) -> SqlRelation:
        """The relation and columns, as the source's kind names them."""
        raise NotImplementedError

    # --- tiles ----------------------------------------------------------------------------

    def tile_layer(
        self, z: int, x: int, y: int, fields: Sequence[FieldDef], squeeze: int = 0
    ) -> sql.Composed:
        """The layer's MVT SELECT for the composite statement (x and y stay bound)."""
        rule = self.tile_rule(z, squeeze)
        kept = self.tile_fields(z, fields, rule)
        read = label_fields(self.definition, z)
        query = LayerQuery(
            name=self.layer.slug,
            relation=self.relation(),
            fields=kept,
            rule=rule,
            labels=None if read is None else [f for f in kept if f.name in read],
        )
        return layer_mvt(query, z)

    # --- features -------------------------------------------------------------------------

    def features(self, plan: Plan, crs: Crs, limit: int, offset: int) -> FeaturePage:
        """OGC API items: the plan's filter, order and fields, one page in `crs`, and the count."""
        with connection.cursor() as cur:
            count = features_sql.count_features(plan)
            cur.execute(count.as_string(cur.connection), dict(plan.bind.values))
            matched = int(cur.fetchone()[0])
            page = features_sql.select_features(plan, crs, limit, offset)
            cur.execute(page.as_string(cur.connection), plan.bind.values)
            return FeaturePage(matched, [row[0] for row in cur.fetchall()])

    def feature(self, plan: Plan, crs: Crs, fid: int) -> str | None:
        """One feature by id as GeoJSON text, None when the plan does not match it."""
        query = features_sql.select_feature(plan, crs, fid)
        with connection.cursor() as cur:
            cur.execute(query.as_string(cur.connection), plan.bind.values)
            row = cur.fetchone()
        return str(row[0]) if row else None

    def matched(self, plan: Plan) -> int:
        """How many features the plan matches."""
        with connection.cursor() as cur:
            cur.execute(
                features_sql.count_features(plan).as_string(cur.connection), plan.bind.values
            )
            return int(cur.fetchone()[0])

    def feature_chunks(self, plan: Plan, crs: Crs, chunk: int) -> Iterator[list[tuple[Any, ...]]]:
        """Rows (id, fields…, WKB in `crs`) in id order, `chunk` at a time (keyset paging)."""
        query = features_sql.chunk_sql(plan, crs)
        after = -(2**63)
        while True:
            params = {**plan.bind.values, "after": after, "chunk": chunk}
            with connection.cursor() as cur:
                cur.execute(query.as_string(cur.connection), params)
                rows = cur.fetchall()
            if rows:
                after = int(rows[-1][0])
                yield rows
            if len(rows) < chunk:
                return

    def time_extent(self, column: str) -> tuple[Any, Any]:
        """Earliest and latest value of a time field."""
        query = features_sql.time_extent(self.relation(), column)
        with connection.cursor() as cur:
            cur.execute(query.as_string(cur.connection))
            lo, hi = cur.fetchone()
        return lo, hi

    def union_where(self, field: str, value: str) -> bytes | None:
        """EWKB (EPSG:4326) of the union of the features whose `field` (as text) is `value`."""
        rel = self.relation()
        query = sql.SQL("SELECT ST_AsEWKB(ST_Union({g})) FROM {r} WHERE {f}::text = %s").format(
            g=sql.Identifier(rel.geom_column), r=rel.relation, f=sql.Identifier(field)
        )
        with connection.cursor() as cur:
            cur.execute(query.as_string(cur.connection), [value])
            row = cur.fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    # --- statistics -----------------------------------------------------------------------

    def count(self) -> int:
        """Number of features."""
        query = sql.SQL("SELECT count(*) FROM {}").format(self.relation().relation)
        with connection.cursor() as cur:
            cur.execute(query.as_string(cur.connection))
            return int(cur.fetchone()[0])

    def extent(self) -> Extent | None:
        """Bounding box in EPSG:4326 (minx, miny, maxx, maxy), None when empty."""
        rel = self.relation()
        query = sql.SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)"
            " FROM (SELECT ST_Extent({geom}) AS e FROM {rel}) s"
        ).format(geom=sql.Identifier(rel.geom_column), rel=rel.relation)
        with connection.cursor() as cur:
            cur.execute(query.as_string(cur.connection))
            row = cur.fetchone()
        if row is None or row[0] is None:
            return None
        return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
