"""Source kind `table`: a PostGIS table created by an import or the demo loader."""

from __future__ import annotations

from django.conf import settings
from psycopg import sql

from layers.sources.base import register
from layers.sources.postgis import SqlSource
from layers.sources.relation import SqlRelation


@register("table")
class TableSource(SqlSource):
    """Rows of `<schema>.<table>` with `id`, `geom` (4326) and a stored, indexed `geom_3857`."""

    @property
    def schema_name(self) -> str:
        """The schema of the table (the import schema unless the definition names one)."""
        return str(self.layer.source.get("schema") or settings.GEO_IOC_LAYER_SCHEMA)

    @property
    def table_name(self) -> str:
        """The table's name inside its schema."""
        return str(self.layer.source["table"])

    def find_relation(self) -> SqlRelation:
        """The table with its stored Web Mercator geometry."""
        return SqlRelation(
            relation=sql.Identifier(self.schema_name, self.table_name),
            id_column="id",
            geom_column="geom",
            geom_3857=sql.Identifier("geom_3857"),
        )
