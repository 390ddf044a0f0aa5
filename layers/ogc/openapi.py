"""The OpenAPI 3.0 document of `/ogc` and the exports, generated from the catalogue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from layers.access import User, visible_layers
from layers.ogc.crs import CRS84_URI, supported_uris
from layers.ogc.documents import CONFORMANCE


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
    """OpenAPI 3.0.3 for the layers this user may see."""
    slugs = [layer.slug for layer in visible_layers(user)]
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
        "filter": _param("filter", "A CQL2-text filter.", {"type": "string"}),
        "filter-lang": _param(
            "filter-lang", "Filter language.", {"type": "string", "enum": ["cql2-text"]}
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
        "servers": [{"url": request.build_absolute_uri("/").rstrip("/")}],
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
            "/ogc": {"get": _op("landing", "Landing page", [], _json_ok("Landing page"))},
            "/ogc/conformance": {
                "get": _op("conformance", "Conformance classes", [], _json_ok("Conformance"))
            },
            "/ogc/api": {
                "get": _op(
                    "api",
                    "This document",
                    [],
                    _json_ok("OpenAPI", "application/vnd.oai.openapi+json;version=3.0"),
                )
            },
            "/ogc/collections": {
                "get": _op("collections", "Collections", [], _json_ok("Collections"))
            },
            "/ogc/collections/{collectionId}": {
                "get": _op(
                    "collection",
                    "A collection",
                    [ref["collectionId"]],
                    _json_ok("Collection"),
                    {**errors, **auth_errors},
                )
            },
            "/ogc/collections/{collectionId}/queryables": {
                "get": _op(
                    "queryables",
                    "Queryables",
                    [ref["collectionId"]],
                    _json_ok("JSON Schema", "application/schema+json"),
                    {**errors, **auth_errors},
                )
            },
            "/ogc/collections/{collectionId}/items": {
                "get": _op(
                    "items",
                    "Features of a collection",
                    [ref["collectionId"], *item_params],
                    _json_ok(
                        "A FeatureCollection (Content-Crs names its CRS)", "application/geo+json"
                    ),
                    {**errors, **auth_errors},
                )
            },
            "/ogc/collections/{collectionId}/items/{featureId}": {
                "get": _op(
                    "item",
                    "One feature",
                    [ref["collectionId"], ref["featureId"], ref["crs"]],
                    _json_ok("A Feature", "application/geo+json"),
                    {**errors, **auth_errors},
                )
            },
            "/export/{collectionId}": {
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
                        ref["filter-crs"],
                    ],
                    {"description": "The file", "content": {"application/octet-stream": {}}},
                    {**errors, **auth_errors, "413": _error("Too large: POST /exports")},
                )
            },
            "/exports": {
                "post": _op(
                    "createExport",
                    "Start an export job (any size, one or several layers)",
                    [],
                    _json_ok("The job"),
                    {**errors, **auth_errors},
                    body=True,
                )
            },
            "/exports/{jobId}": {
                "get": _op(
                    "exportStatus",
                    "Status and progress of an export job",
                    [_param("jobId", "Job id.", {"type": "string"}, where="path")],
                    _json_ok("The job"),
                    errors,
                )
            },
            "/exports/{jobId}/file": {
                "get": _op(
                    "exportFile",
                    "The file of a finished export job",
                    [_param("jobId", "Job id.", {"type": "string"}, where="path")],
                    {"description": "The file", "content": {"application/octet-stream": {}}},
                    {**errors, "409": _error("Not finished")},
                )
            },
        },
        "x-storage-crs": CRS84_URI,
    }


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
