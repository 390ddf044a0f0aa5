"""The one small interface every layer source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.db import connection
from psycopg import sql

from layers.models import Layer

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class SqlRelation:
    """What SQL builders need to read a layer: the relation and its key columns."""

    relation: sql.Composable
    id_column: str
    geom_column: str  # EPSG:4326
    geom_3857: sql.Composable  # a stored column where tiles are hot, else an ST_Transform


class LayerSource(ABC):
    """Reads a layer's rows from PostGIS. Optional abilities are flags, not subclasses."""

    kind: ClassVar[str]
    supports_export: ClassVar[bool] = True
    supports_time: ClassVar[bool] = False
    supports_import: ClassVar[bool] = False

    def __init__(self, layer: Layer) -> None:
        self.layer = layer

    @abstractmethod
    def relation(self) -> SqlRelation:
        """The relation and columns to select from."""

    def count(self) -> int:
        """Number of features."""
        rel = self.relation()
        query = sql.SQL("SELECT count(*) FROM {}").format(rel.relation)
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

    def version(self) -> str:
        """Changes whenever the layer's definition changes (tile caches key on it)."""
        return self.layer.updated.isoformat() if self.layer.updated else "0"


_KINDS: dict[str, type[LayerSource]] = {}


def register(kind: str) -> Callable[[type[LayerSource]], type[LayerSource]]:
    """Class decorator registering a source kind under its name."""

    def deco(cls: type[LayerSource]) -> type[LayerSource]:
        cls.kind = kind
        _KINDS[kind] = cls
        return cls

    return deco


def source_for(layer: Layer) -> LayerSource:
    """The source object serving a catalogue entry."""
    kind = layer.source.get("kind")
    try:
        return _KINDS[kind](layer)
    except KeyError:
        raise LookupError(f"layer {layer.slug!r}: unknown source kind {kind!r}") from None
