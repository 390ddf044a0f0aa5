"""The schema of a layer definition: validated data, unknown keys are errors."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Domain(StrEnum):
    """The operational domain a layer belongs to; groups the layer tree."""

    LAND = "land"
    TRANSPORT = "transport"
    SECURITY = "security"
    ENVIRONMENT = "environment"
    TOURISM = "tourism"
    PUBLIC_SERVICES = "public_services"
    HEALTH = "health"
    EDUCATION = "education"
    ECONOMY = "economy"  # socio-economic indicators and administrative units
    BASE = "base"


class GeometryType(StrEnum):
    """Geometry type of a layer, as PostGIS names it."""

    POINT = "Point"
    LINESTRING = "LineString"
    POLYGON = "Polygon"
    MULTIPOINT = "MultiPoint"
    MULTILINESTRING = "MultiLineString"
    MULTIPOLYGON = "MultiPolygon"
    GEOMETRY = "Geometry"


class AccessLevel(StrEnum):
    """Who may see a layer or a field."""

    PUBLIC = "public"
    STAFF = "staff"
    RESTRICTED = "restricted"


class FieldType(StrEnum):
    """Attribute types a layer exposes (mapped from PostgreSQL types)."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    DATE = "date"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldDef(_Strict):
    """An attribute the layer exposes in tiles, features and exports."""

    name: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    type: FieldType = FieldType.STRING
    title_vi: str | None = None
    title_en: str | None = None
    access: AccessLevel = AccessLevel.PUBLIC


def value_key(value: Any) -> str:
    """A data value as legends and value labels name it: `traffic_accident`, `3`, `true`, `null`."""
    if isinstance(value, list):
        return ", ".join(value_key(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


class ValueLabel(_Strict):
    """The name of one data value in both languages, as legends show it."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class TableSource(_Strict):
    """An imported PostGIS table with `id`, `geom` (4326) and a stored `geom_3857`."""

    kind: Literal["table"] = "table"
    table: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    schema_name: str | None = Field(
        default=None, alias="schema", pattern=r"^[a-z_][a-z0-9_]{0,62}$"
    )


class ModelSource(_Strict):
    """A GeoDjango model, named `app_label.ModelName`."""

    kind: Literal["model"] = "model"
    model: str = Field(pattern=r"^[a-z_]+\.[A-Za-z]+$")


# Cell sizes that divide a 512-px tile evenly, so point clusters never straddle a tile edge.
CLUSTER_CELLS = (16, 32, 64, 128, 256)


class ZoomRule(_Strict):
    """How a layer is thinned over a range of zooms; lengths are pixels of a 512-px tile.

    `tolerance` simplifies lines and polygons (Douglas-Peucker), `min_size` drops features whose
    bounding box is smaller than that in both directions (slivers, sheds), `fields` keeps only the
    named attributes, and `cluster` merges points into grid cells of that many pixels, carrying
    `point_count` (the attributes only where a cell holds a single point).
    """

    zooms: tuple[int, int]
    tolerance: float = Field(default=0.0, ge=0.0, le=64.0)
    min_size: float = Field(default=0.0, ge=0.0, le=256.0)
    fields: list[str] | None = None
    cluster: int | None = None

    @model_validator(mode="after")
    def _check(self) -> ZoomRule:
        low, high = self.zooms
        if not 0 <= low <= high <= 22:
            raise ValueError(f"zooms must be [low, high] within 0..22, got {list(self.zooms)}")
        if self.cluster is not None and self.cluster not in CLUSTER_CELLS:
            raise ValueError(f"cluster must be one of {list(CLUSTER_CELLS)} pixels")
        return self

    def covers(self, z: int) -> bool:
        """Whether the rule applies at zoom z."""
        return self.zooms[0] <= z <= self.zooms[1]


class LayerDefinition(_Strict):
    """Everything the catalogue knows about a layer, as data."""

    slug: str
    title_vi: str
    title_en: str
    domain: Domain
    geometry_type: GeometryType
    source: TableSource | ModelSource = Field(discriminator="kind")
    fields: list[FieldDef] = Field(default_factory=list)
    min_zoom: int = Field(default=0, ge=0, le=22)
    max_zoom: int = Field(default=22, ge=0, le=22)
    style: list[dict[str, Any]] = Field(default_factory=list)
    attribution: str = ""
    access_level: AccessLevel = AccessLevel.PUBLIC
    allowed_groups: list[str] = Field(default_factory=list)
    synthetic: bool = False
    description: str = ""
    sort_order: int = 100
    generalize: list[ZoomRule] = Field(default_factory=list)
    # Browser and proxy cache lifetime of its tiles: short for live layers. The server's own tile
    # cache is exact (dropped on change) and needs no lifetime.
    cache_max_age: int = Field(default=3600, ge=0, le=31_536_000)
    # Layers this one is derived from (a view over them): their changes are its changes.
    depends_on: list[str] = Field(default_factory=list)
    # Names of data values per field, {field: {value: {vi, en}}}, for legends. A value is keyed
    # as the legend names it (`value_key`): `traffic_accident`, `3`, `true`, `null` for a missing
    # one, or a class of a `step` expression, `< 51` / `≥ 51`.
    labels: dict[str, dict[str, ValueLabel]] = Field(default_factory=dict)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError(
                "slug must be lower-case letters, digits and '_', starting with a letter"
            )
        return value

    @field_validator("style")
    @classmethod
    def _style(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, frag in enumerate(value):
            if "type" not in frag:
                raise ValueError(f"style[{i}] needs a MapLibre layer 'type'")
            if "source" in frag or "source-layer" in frag:
                raise ValueError(f"style[{i}]: 'source' and 'source-layer' are set by the server")
        return value

    @field_validator("labels", mode="before")
    @classmethod
    def _label_keys(cls, value: Any) -> Any:
        # YAML reads `true:`, `3:` and `null:` as a bool, an int and None: key them as legends do.
        if not isinstance(value, dict):
            return value
        return {
            field: {value_key(k): v for k, v in names.items()} if isinstance(names, dict) else names
            for field, names in value.items()
        }

    @model_validator(mode="after")
    def _zooms(self) -> LayerDefinition:
        if self.min_zoom > self.max_zoom:
            raise ValueError(f"min_zoom {self.min_zoom} is above max_zoom {self.max_zoom}")
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError("field names must be unique")
        unlabelled = sorted(set(self.labels) - set(names))
        if unlabelled:
            raise ValueError(f"labels: unknown fields {unlabelled}; fields are {sorted(names)}")
        self._check_rules(set(names))
        return self

    def _check_rules(self, names: set[str]) -> None:
        covered: set[int] = set()
        for i, rule in enumerate(self.generalize):
            zooms = set(range(rule.zooms[0], rule.zooms[1] + 1))
            if zooms & covered:
                raise ValueError(f"generalize[{i}]: zooms overlap an earlier rule")
            covered |= zooms
            unknown = sorted(set(rule.fields or []) - names)
            if unknown:
                raise ValueError(f"generalize[{i}]: unknown fields {unknown}")
            if rule.cluster and self.geometry_type.value.removeprefix("Multi") != "Point":
                raise ValueError(f"generalize[{i}]: cluster is for point layers")

    def rule_for(self, z: int) -> ZoomRule | None:
        """The generalisation rule in force at zoom z, if any."""
        return next((r for r in self.generalize if r.covers(z)), None)
