"""DDL for the PostGIS tables behind `table` layers (used by imports and the demo loader)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

from layers.definitions import FieldDef, FieldType, GeometryType

PG_TYPES: dict[FieldType, str] = {
    FieldType.STRING: "text",
    FieldType.INTEGER: "bigint",
    FieldType.NUMBER: "double precision",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATETIME: "timestamptz",
    FieldType.DATE: "date",
}


def create_table_sql(
    schema: str, table: str, geometry_type: GeometryType, fields: Sequence[FieldDef]
) -> list[sql.Composed]:
    """Statements creating a layer table: id, typed attributes, geom (4326) and geom_3857.

    `geom_3857` is a stored generated column with its own GiST index: transforming every row
    to Web Mercator at tile time costs a third to half of the tile query.
    """
    ident = sql.Identifier(schema, table)
    cols = [
        sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(PG_TYPES[f.type])) for f in fields
    ]
    gtype = sql.SQL(geometry_type.value)
    return [
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)),
        sql.SQL(
            "CREATE TABLE {t} (id bigserial PRIMARY KEY, {cols}"
            "geom geometry({g}, 4326) NOT NULL, "
            "geom_3857 geometry({g}, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED)"
        ).format(t=ident, cols=sql.SQL("").join(c + sql.SQL(", ") for c in cols), g=gtype),
        sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(
            sql.Identifier(f"{table}_geom_idx"), ident
        ),
        sql.SQL("CREATE INDEX {} ON {} USING gist (geom_3857)").format(
            sql.Identifier(f"{table}_geom_3857_idx"), ident
        ),
    ]


def drop_table_sql(schema: str, table: str) -> sql.Composed:
    """Statement dropping a layer table if it exists."""
    return sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(schema, table))


def run(conn: BaseDatabaseWrapper, statements: Sequence[sql.Composable]) -> None:
    """Execute composed statements on a Django connection (inside the caller's transaction)."""
    with conn.cursor() as cur:
        for stmt in statements:
            cur.execute(stmt.as_string(cur.connection))


def table_exists(conn: BaseDatabaseWrapper, schema: str, table: str) -> bool:
    """Whether `<schema>.<table>` exists."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}"."{table}"'])
        return bool(cur.fetchone()[0])
