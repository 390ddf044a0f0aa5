"""The metadata documents of the API: landing page, conformance, collections, queryables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from layers.access import User, entry_fields, entry_of, resolve, visible_entries
from layers.catalogue import Entry
from layers.definitions import FieldType
from layers.models import Layer
from layers.ogc.crs import CRS84_URI, supported_uris
from layers.ogc.plan import time_field

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    # OGC API – Tiles, served by the tiles app (tiles/ogc.py).
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
]
JSON_SCHEMA_TYPES: dict[FieldType, dict[str, str]] = {
    FieldType.STRING: {"type": "string"},
    FieldType.INTEGER: {"type": "integer"},
    FieldType.NUMBER: {"type": "number"},
    FieldType.BOOLEAN: {"type": "boolean"},
    FieldType.DATETIME: {"type": "string", "format": "date-time"},
    FieldType.DATE: {"type": "string", "format": "date"},
}


def _url(request: HttpRequest, name: str, **kwargs: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def landing(request: HttpRequest) -> dict[str, Any]:
    """`/ogc`: what the API offers and where."""
    return {
        "title": "geo-ioc — OGC API Features",
        "description": "Every layer of the catalogue that you may see, as features "
        "(GeoJSON, CQL2 filters, WGS 84 and VN-2000).",
        "links": [
            _link(_url(request, "ogc-landing"), "self", JSON, "This document"),
            _link(_url(request, "ogc-openapi"), "service-desc", OPENAPI, "The API definition"),
            _link(_url(request, "ogc-conformance"), "conformance", JSON, "Conformance classes"),
            _link(_url(request, "ogc-collections"), "data", JSON, "The collections"),
            _link(
                _url(request, "ogc-tilesets"),
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                JSON,
                "Vector tilesets",
            ),
            _link(
                _url(request, "ogc-tmss"),
                "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                JSON,
                "Tile matrix sets",
            ),
        ],
    }


def conformance() -> dict[str, Any]:
    """`/ogc/conformance`."""
    return {"conformsTo": CONFORMANCE}


def _temporal(user: User, entry: Entry) -> dict[str, Any] | None:
    tf = time_field(entry_fields(user, entry))
    if tf is None or not entry.source.supports_features:
        return None
    lo, hi = entry.source.time_extent(tf.name)

    def iso(v: Any) -> str | None:
        return v.isoformat() if isinstance(v, datetime) else (str(v) if v is not None else None)

    return {
        "interval": [[iso(lo), iso(hi)]],
        "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
    }


def collection(request: HttpRequest, user: User, layer: Layer | Entry) -> dict[str, Any]:
    """One collection's metadata, generated from its catalogue entry."""
    entry = layer if isinstance(layer, Entry) else entry_of(layer)
    layer = entry.layer
    slug = layer.slug
    extent: dict[str, Any] = {}
    if layer.extent:
        extent["spatial"] = {"bbox": [list(layer.extent)], "crs": CRS84_URI}
    temporal = _temporal(user, entry)
    if temporal:
        extent["temporal"] = temporal
    description = layer.title_en + (f". {layer.description}" if layer.description else "")
    doc: dict[str, Any] = {
        "id": slug,
        "title": layer.title_vi,
        "description": description,
        "itemType": "feature",
        "crs": supported_uris(),
        "storageCrs": CRS84_URI,
        "links": [
            _link(_url(request, "ogc-collection", layer=slug), "self", JSON, "This collection"),
            _link(_url(request, "ogc-items", layer=slug), "items", GEOJSON, "The features"),
            _link(
                _url(request, "ogc-collection-tiles", layer=slug),
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                JSON,
                "Vector tiles",
            ),
            _link(
                _url(request, "ogc-queryables", layer=slug),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA,
                "What a filter may name",
            ),
            # GDAL before 3.7 looks for the short relation name.
            _link(_url(request, "ogc-queryables", layer=slug), "queryables", SCHEMA),
            # GDAL's OAPIF driver takes field types from the first `describedBy` (or, from
            # 3.7, `describedby`) link: it gets the schema in the OpenAPI dialect it can type
            # nullable fields from (see `feature_schema`); everyone else the JSON Schema.
            _link(
                _url(request, "ogc-schema", layer=slug) + "?dialect=openapi",
                "describedBy",
                SCHEMA,
                "The features' schema as an OpenAPI 3.0 Schema Object",
            ),
            _link(
                _url(request, "ogc-schema", layer=slug),
                "describedby",
                SCHEMA,
                "JSON Schema of the features",
            ),
            _link(
                request.build_absolute_uri(reverse("export", kwargs={"layer": slug}))
                + "?format=gpkg",
                "enclosure",
                "application/geopackage+sqlite3",
                "The whole layer as a GeoPackage",
            ),
        ],
    }
    if extent:
        doc["extent"] = extent
    if layer.attribution:
        doc["attribution"] = layer.attribution
    return doc


def collections(request: HttpRequest, user: User) -> dict[str, Any]:
    """`/ogc/collections`: the layers this user may see."""
    return {
        "links": [_link(_url(request, "ogc-collections"), "self", JSON, "The collections")],
        "crs": supported_uris(),
        "collections": [
            collection(request, user, entry)
            for entry in visible_entries(user)
            if entry.source.supports_features
        ],
    }


def geometry_schema(geometry_type: str) -> dict[str, Any]:
    """JSON Schema of the geometry property (OGC API Features Part 3 queryables)."""
    fmt = {
        "Point": "geometry-point",
        "LineString": "geometry-linestring",
        "Polygon": "geometry-polygon",
        "MultiPoint": "geometry-multipoint",
        "MultiLineString": "geometry-multilinestring",
        "MultiPolygon": "geometry-multipolygon",
    }.get(geometry_type, "geometry-any")
    return {"format": fmt, "x-ogc-role": "primary-geometry"}


def _property_schemas(user: User, entry: Entry, *, nullable: str | None = None) -> dict[str, Any]:
    """Each field's schema; `nullable` says how a NULL is allowed: "json-schema" or "openapi"."""
    props: dict[str, Any] = {}
    for f in entry_fields(user, entry):
        schema: dict[str, Any] = {"title": f.title_vi or f.name, **JSON_SCHEMA_TYPES[f.type]}
        # Every attribute column may hold NULL (imports and sources promise no more), and
        # GeoJSON writes it as null: the type says so.
        if nullable == "json-schema":
            schema["type"] = [schema["type"], "null"]
        elif nullable == "openapi":
            schema["nullable"] = True
        if f.title_en:
            schema["description"] = f.title_en
        props[f.name] = schema
    return props


def queryables(request: HttpRequest, user: User, slug: str) -> dict[str, Any]:
    """`/ogc/collections/{layer}/queryables`: JSON Schema of the names a filter may use."""
    entry = resolve(user, slug)
    layer = entry.layer
    props: dict[str, Any] = {
        "geometry": {"title": "Geometry", **geometry_schema(layer.geometry_type)},
        "id": {"title": "Feature id", "type": "integer", "x-ogc-role": "id"},
        **_property_schemas(user, entry),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _url(request, "ogc-queryables", layer=slug),
        "type": "object",
        "title": layer.title_vi,
        "properties": props,
        "additionalProperties": False,
        # The pre-2021 draft's list, still what GDAL before 3.7 reads to push a filter down
        # (an unknown keyword to JSON Schema, so harmless to everyone else).
        "queryables": [
            {"id": name, "queryable": name, "type": schema.get("type", "geometry")}
            for name, schema in props.items()
        ],
    }


def feature_schema(
    request: HttpRequest, user: User, slug: str, dialect: str = "json-schema"
) -> dict[str, Any]:
    """`/ogc/collections/{layer}/schema`: JSON Schema of one GeoJSON feature (`describedby`).

    Nullable fields are `"type": [t, "null"]`, which GDAL's OAPIF driver does not read (it takes
    a field's type from a single `type` word). So the `describedBy` link GDAL follows asks for
    `?dialect=openapi`: the same schema as an OpenAPI 3.0 Schema Object, where a NULL is allowed
    by `"nullable": true` beside the one type — and GDAL types the fields.
    """
    entry = resolve(user, slug)
    layer = entry.layer
    head: dict[str, Any] = (
        {"$schema": "https://json-schema.org/draft/2020-12/schema"}
        if dialect == "json-schema"
        else {}
    )
    return {
        **head,
        "$id": _url(request, "ogc-schema", layer=slug),
        "title": layer.title_vi,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": geometry_schema(layer.geometry_type),
            "properties": {
                "type": "object",
                "properties": _property_schemas(user, entry, nullable=dialect),
            },
        },
    }
