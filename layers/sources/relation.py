"""Where a SQL source's rows are: the relation and its key columns."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql


@dataclass(frozen=True)
class SqlRelation:
    """What SQL builders need to read a layer: the relation and its key columns."""

    relation: sql.Composable
    id_column: str
    geom_column: str  # EPSG:4326
    geom_3857: sql.Composable  # a stored column where tiles are hot, else an ST_Transform
