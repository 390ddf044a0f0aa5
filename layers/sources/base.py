"""The one small interface every layer source implements (Martin's `Source`, tipg's `Collection`).

A source makes its own output: its tile part, features, TileJSON entry and version.

Optional abilities are flags that callers branch on, never the source's kind:
- `sql_tiles`: `tile_layer` returns SQL that joins the one-statement composite tile (a PostGIS
  source); otherwise it returns the layer's MVT bytes itself (a raster or remote source).
- `supports_features`: the layer has features to list, filter and export (OGC API items,
  exports); a source without them appears in tiles and styles only.
- `has_relation`: its rows sit in one PostGIS relation (`relation()`), so SQL that spans
  layers (the search across names) can read it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from psycopg import sql

from layers.definitions import FieldDef, LayerDefinition, ZoomRule
from layers.models import Layer
from layers.sources.mvt import tightened
from layers.sources.relation import SqlRelation

if TYPE_CHECKING:  # the plan and CRS live with OGC API Features, which reads sources
    from layers.ogc.crs import Crs
    from layers.ogc.plan import Plan

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class FeaturePage:
    """A page of GeoJSON features as text, and how many the plan matches in all."""

    matched: int
    features: list[str]


JSON_TYPES = {
    "string": "String",
    "integer": "Number",
    "number": "Number",
    "boolean": "Boolean",
    "datetime": "String",
    "date": "String",
}


class LayerSource(ABC):
    """Makes one catalogue layer's output. Optional abilities are flags, not subclasses."""

    kind: ClassVar[str]
    sql_tiles: ClassVar[bool] = False
    supports_features: ClassVar[bool] = False
    has_relation: ClassVar[bool] = False

    def __init__(self, layer: Layer, definition: LayerDefinition | None = None) -> None:
        self.layer = layer
        self._definition = definition

    @property
    def definition(self) -> LayerDefinition:
        """The validated definition (given by the catalogue, else read once)."""
        if self._definition is None:
            self._definition = self.layer.definition()
        return self._definition

    def tile_rule(self, z: int, squeeze: int = 0) -> ZoomRule | None:
        """The zoom's generalisation rule, made `squeeze` steps stricter for an over-budget tile."""
        rule = self.definition.rule_for(z)
        return tightened(rule, squeeze, self.definition.geometry_type.value, z)

    def tile_fields(
        self, z: int, fields: Sequence[FieldDef], rule: ZoomRule | None = None
    ) -> list[FieldDef]:
        """The caller's fields that the zoom's generalisation rule keeps."""
        rule = rule if rule is not None else self.definition.rule_for(z)
        if rule is not None and rule.fields is not None:
            return [f for f in fields if f.name in rule.fields]
        return list(fields)

    @abstractmethod
    def tile_layer(
        self, z: int, x: int, y: int, fields: Sequence[FieldDef], squeeze: int = 0
    ) -> sql.Composed | bytes:
        """The layer's part of tile z/x/y with these fields.

        With `sql_tiles`: a SELECT of one bytea (the MVT layer) whose text does not depend on
        x and y (bound as %(z)s, %(x)s, %(y)s), to join the composite statement; `squeeze`
        steps of stricter generalisation keep an over-budget tile under the cap. Otherwise the
        MVT layer's bytes.
        """

    def tilejson(self, fields: Sequence[FieldDef]) -> dict[str, Any]:
        """The layer's `vector_layers` entry of a TileJSON document."""
        layer = self.layer
        return {
            "id": layer.slug,
            "description": layer.title_en,
            "minzoom": layer.min_zoom,
            "maxzoom": layer.max_zoom,
            "fields": {f.name: JSON_TYPES[f.type.value] for f in fields},
        }

    def version(self) -> str:
        """Changes whenever the layer's definition changes (tile caches key on it)."""
        return self.layer.updated.isoformat() if self.layer.updated else "0"

    def relation(self) -> SqlRelation:
        """The PostGIS relation of the rows (only with `has_relation`)."""
        raise LookupError(f"layer {self.layer.slug!r}: its {self.kind} source has no relation")

    # --- features (only with `supports_features`) ---------------------------------------

    def _no_features(self) -> NotImplementedError:
        return NotImplementedError(
            f"layer {self.layer.slug!r}: its {self.kind} source has no features"
        )

    def features(self, plan: Plan, crs: Crs, limit: int, offset: int) -> FeaturePage:
        """OGC API items: the plan's filter, order and fields, one page in `crs`, and the count."""
        raise self._no_features()

    def feature(self, plan: Plan, crs: Crs, fid: int) -> str | None:
        """One feature by id as GeoJSON text, None when the plan does not match it."""
        raise self._no_features()

    def matched(self, plan: Plan) -> int:
        """How many features the plan matches."""
        raise self._no_features()

    def feature_chunks(self, plan: Plan, crs: Crs, chunk: int) -> Iterator[list[tuple[Any, ...]]]:
        """Rows (id, fields…, WKB in `crs`) in id order, `chunk` at a time (for exports)."""
        raise self._no_features()

    def time_extent(self, column: str) -> tuple[Any, Any]:
        """Earliest and latest value of a time field."""
        raise self._no_features()

    def union_where(self, field: str, value: str) -> bytes | None:
        """EWKB (EPSG:4326) of the union of the features whose `field` (as text) is `value`."""
        raise self._no_features()

    def count(self) -> int | None:
        """Number of features, None when the source has no features."""
        return None

    def extent(self) -> Extent | None:
        """Bounding box in EPSG:4326 (minx, miny, maxx, maxy), None when empty or unknown."""
        return None


_KINDS: dict[str, type[LayerSource]] = {}


def register(kind: str) -> Callable[[type[LayerSource]], type[LayerSource]]:
    """Class decorator registering a source kind under its name."""

    def deco(cls: type[LayerSource]) -> type[LayerSource]:
        cls.kind = kind
        _KINDS[kind] = cls
        return cls

    return deco


def source_for(layer: Layer, definition: LayerDefinition | None = None) -> LayerSource:
    """The source object serving a catalogue entry."""
    kind = layer.source.get("kind")
    try:
        cls = _KINDS[kind]
    except KeyError:
        raise LookupError(f"layer {layer.slug!r}: unknown source kind {kind!r}") from None
    return cls(layer, definition)
