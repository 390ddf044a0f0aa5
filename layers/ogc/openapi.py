"""The OpenAPI 3.0 document of `/ogc` and the exports, generated from the catalogue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from layers.access import User, entry_fields, visible_entries, visible_layers
from layers.catalogue import Entry
from layers.ogc.crs import CRS84_URI, supported_uris
from layers.ogc.documents import CONFORMANCE, JSON_SCHEMA_TYPES
from layers.ogc.params import FILTER_LANGS, STANDARD


def _param(
    name: str, description: str, schema: dict[str, Any], *, where: str = "query", **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": where == "path",
        "schema": schema,
        **extra,
    }


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json_ok(description: str, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "object"}}}}


def document(request: HttpRequest, user: User) -> dict[str, Any]:
    """OpenAPI 3.0.3 for the layers this user may see.

    Each collection has its own items path listing its queryables as parameters (Features
    Part 3, queryables-query-parameters): GDAL's OAPIF driver pushes an attribute filter down
    only for names it finds there.
    """
    slugs = [layer.slug for layer in visible_layers(user)]
    entries = [e for e in visible_entries(user) if e.source.supports_features]
    root_server = [{"url": request.build_absolute_uri("/").rstrip("/")}]
    crs_schema = {"type": "string", "format": "uri", "enum": supported_uris()}
    p = {
        "collectionId": _param(
            "collectionId",
            "A layer of the catalogue.",
            {"type": "string", "enum": slugs},
            where="path",
        ),
        "featureId": _param("featureId", "Feature id.", {"type": "string"}, where="path"),
        "bbox": _param(
            "bbox",
            "minx,miny,maxx,maxy in bbox-crs axis order (EPSG:4326: minlat,minlon,maxlat,maxlon).",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            style="form",
            explode=False,
        ),
        "bbox-crs": _param("bbox-crs", "CRS of bbox (default CRS84).", crs_schema),
        "crs": _param("crs", "CRS of the response geometries (default CRS84).", crs_schema),
        "datetime": _param(
            "datetime",
            "An instant, a date or an interval a/b ('..' open) on the layer's time field.",
            {"type": "string"},
        ),
        "limit": _param(
            "limit",
            "Features per page.",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.GEO_IOC_OGC_LIMIT_MAX,
                "default": settings.GEO_IOC_OGC_LIMIT_DEFAULT,
            },
        ),
        "offset": _param("offset", "Features to skip.", {"type": "integer", "minimum": 0}),
        "filter": _param(
            "filter",
            "A CQL2 filter (text, or JSON with filter-lang=cql2-json).",
            {"type": "string"},
        ),
        "filter-lang": _param(
            "filter-lang",
            "Filter language (cql-text: the older name of cql2-text, as GDAL sends it).",
            {"type": "string", "enum": list(FILTER_LANGS), "default": "cql2-text"},
        ),
        "filter-crs": _param("filter-crs", "CRS of filter geometries.", crs_schema),
        "properties": _param(
            "properties",
            "Properties to return.",
            {"type": "array", "items": {"type": "string"}},
            style="form",
            explode=False,
        ),
        "sortby": _param(
            "sortby",
            "+name,-lanes",
            {"type": "array", "items": {"type": "string"}},
            style="form",
            explode=False,
        ),
        "format": _param(
            "format",
            "Export format.",
            {"type": "string", "enum": ["gpkg", "shp", "geojson", "csv", "fgb", "kml"]},
        ),
        "exportCrs": _param(
            "crs", "CRS of the file: a URI, EPSG:code or a bare code.", {"type": "string"}
        ),
    }
    ref = {name: {"$ref": f"#/components/parameters/{name}"} for name in p}
    errors = {"400": _error("Invalid request"), "404": _error("Not found")}
    auth_errors = {"401": _error("Authentication needed"), "403": _error("Not allowed")}
    item_params = [ref[n] for n in ("bbox", "bbox-crs", "datetime", "limit", "offset")]
    item_params += [ref[n] for n in ("crs", "filter", "filter-lang", "filter-crs")]
    item_params += [ref["properties"], ref["sortby"]]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "geo-ioc OGC API Features",
            "version": "1.0.0",
            "description": "Layers of the catalogue as features and files. Conforms to: "
            + ", ".join(CONFORMANCE),
            "license": {"name": "AGPL-3.0-or-later"},
        },
        # Paths are relative to the landing page, as clients (GDAL) look them up.
        "servers": [{"url": request.build_absolute_uri(reverse("ogc-landing")).rstrip("/")}],
        "components": {
            "parameters": p,
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": "string"},
                        "position": {"type": "integer"},
                    },
                }
            },
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
        },
        "security": [{}, {"token": []}],
        "paths": {
            "/": {"get": _op("landing", "Landing page", [], _json_ok("Landing page"))},
            "/conformance": {
                "get": _op("conformance", "Conformance classes", [], _json_ok("Conformance"))
            },
            "/api": {
                "get": _op(
                    "api",
                    "This document",
                    [],
                    _json_ok("OpenAPI", "application/vnd.oai.openapi+json;version=3.0"),
                )
            },
            "/collections": {"get": _op("collections", "Collections", [], _json_ok("Collections"))},
            "/collections/{collectionId}": {
                "get": _op(
                    "collection",
                    "A collection",
                    [ref["collectionId"]],
                    _json_ok("Collection"),
                    {**errors, **auth_errors},
                )
            },
            "/collections/{collectionId}/queryables": {
                "get": _op(
                    "queryables",
                    "Queryables",
                    [ref["collectionId"]],
                    _json_ok("JSON Schema", "application/schema+json"),
                    {**errors, **auth_errors},
                )
            },
            "/collections/{collectionId}/items": _items_path(
                "items", [ref["collectionId"]], item_params, {**errors, **auth_errors}
            ),
            **{
                f"/collections/{entry.slug}/items": _items_path(
                    f"items_{entry.slug}",
                    [],
                    [*item_params, *_queryable_params(user, entry)],
                    {**errors, **auth_errors},
                )
                for entry in entries
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": _op(
                    "item",
                    "One feature",
                    [ref["collectionId"], ref["featureId"], ref["crs"]],
                    _json_ok("A Feature", "application/geo+json"),
                    {**errors, **auth_errors},
                )
            },
            # The exports live beside /ogc, at the server's root.
            "/export/{collectionId}": {
                "servers": root_server,
                "get": _op(
                    "export",
                    "Download a layer as a file (up to GEO_IOC_EXPORT_SYNC_MAX features)",
                    [
                        ref["collectionId"],
                        ref["format"],
                        ref["exportCrs"],
                        ref["bbox"],
                        ref["bbox-crs"],
                        ref["filter"],
                        ref["filter-lang"],
                        ref["filter-crs"],
                    ],
                    {"description": "The file", "content": {"application/octet-stream": {}}},
                    {**errors, **auth_errors, "413": _error("Too large: POST /exports")},
                ),
            },
            "/exports": {
                "servers": root_server,
                "post": _op(
                    "createExport",
                    "Start an export job (any size, one or several layers)",
                    [],
                    _json_ok("The job"),
                    {**errors, **auth_errors},
                    body=True,
                ),
            },
            "/exports/{jobId}": {
                "servers": root_server,
                "get": _op(
                    "exportStatus",
                    "Status and progress of an export job",
                    [_param("jobId", "Job id.", {"type": "string"}, where="path")],
                    _json_ok("The job"),
                    errors,
                ),
            },
            "/exports/{jobId}/file": {
                "servers": root_server,
                "get": _op(
                    "exportFile",
                    "The file of a finished export job",
                    [_param("jobId", "Job id.", {"type": "string"}, where="path")],
                    {"description": "The file", "content": {"application/octet-stream": {}}},
                    {**errors, "409": _error("Not finished")},
                ),
            },
        },
        "x-storage-crs": CRS84_URI,
    }


def _items_path(
    op_id: str,
    path_params: list[dict[str, Any]],
    params: list[dict[str, Any]],
    errors: dict[str, Any],
) -> dict[str, Any]:
    ok = _json_ok("A FeatureCollection (Content-Crs names its CRS)", "application/geo+json")
    return {
        "get": _op(op_id, "Features of a collection", [*path_params, *params], ok, errors),
        "post": _op(
            f"search_{op_id}",
            "The same search with a JSON body: a CQL2-JSON filter, or the GET parameters",
            path_params,
            ok,
            errors,
            body=True,
        ),
    }


def _queryable_params(user: User, entry: Entry) -> list[dict[str, Any]]:
    """One query parameter per field: `?highway=primary` selects equal values."""
    return [
        _param(f.name, f"Features whose {f.name} equals this value.", JSON_SCHEMA_TYPES[f.type])
        for f in entry_fields(user, entry)
        if f.name not in STANDARD
    ]


def _op(
    op_id: str,
    summary: str,
    params: list[dict[str, Any]],
    ok: dict[str, Any],
    errors: dict[str, Any] | None = None,
    *,
    body: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "parameters": params,
        "responses": {"200": ok, **(errors or {})},
    }
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return op
