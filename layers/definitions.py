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

    @model_validator(mode="after")
    def _zooms(self) -> LayerDefinition:
        if self.min_zoom > self.max_zoom:
            raise ValueError(f"min_zoom {self.min_zoom} is above max_zoom {self.max_zoom}")
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError("field names must be unique")
        return self
