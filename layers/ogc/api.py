"""HTTP endpoints of OGC API Features: thin views over `documents` and `features`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from geo_ioc.core.errors import InvalidParameter
from geo_ioc.core.http import allow
from layers.access import resolve
from layers.ogc import documents, features, openapi
from layers.ogc.crs import CRS84, parse_crs
from layers.ogc.features import FeaturesBody
from layers.ogc.params import parse_items, search_body


def _json(data: dict, content_type: str = documents.JSON) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = content_type
    return response


def _geojson(body: FeaturesBody) -> HttpResponse:
    response = HttpResponse(body.text.encode(), content_type=documents.GEOJSON)
    # OGC API Features Part 2: the CRS of the coordinates, always stated.
    response["Content-Crs"] = body.crs.header()
    response["Vary"] = "Authorization, Cookie"
    return response


@allow("GET")
def landing(request: HttpRequest) -> JsonResponse:
    """`GET /ogc`: the landing page."""
    return _json(documents.landing(request))


@allow("GET")
def conformance(request: HttpRequest) -> JsonResponse:
    """`GET /ogc/conformance`."""
    return _json(documents.conformance())


@allow("GET")
def api_document(request: HttpRequest) -> JsonResponse:
    """`GET /ogc/api`: the OpenAPI 3 document, generated from the catalogue."""
    return _json(openapi.document(request, request.user), documents.OPENAPI)


@allow("GET")
def collections(request: HttpRequest) -> JsonResponse:
    """`GET /ogc/collections`: the layers the caller may see."""
    return _json(documents.collections(request, request.user))


@allow("GET")
def collection(request: HttpRequest, layer: str) -> JsonResponse:
    """`GET /ogc/collections/{layer}`."""
    entry = resolve(request.user, layer)
    return _json(documents.collection(request, request.user, entry))


@allow("GET")
def queryables(request: HttpRequest, layer: str) -> JsonResponse:
    """`GET /ogc/collections/{layer}/queryables`: JSON Schema of the filterable properties.

    Served as `application/schema+json` unless the client accepts only plain JSON (GDAL asks
    for `application/geo+json, application/json` and refuses any other type).
    """
    doc = documents.queryables(request, request.user, layer)
    return _json(doc, _schema_type(request))


def _schema_type(request: HttpRequest) -> str:
    accept = request.headers.get("Accept", "")
    if "schema+json" in accept or "application/json" not in accept:
        return documents.SCHEMA
    return documents.JSON


@allow("GET")
def schema(request: HttpRequest, layer: str) -> JsonResponse:
    """`GET /ogc/collections/{layer}/schema`: JSON Schema of the features (`describedby`)."""
    dialect = request.GET.get("dialect", "json-schema")
    if dialect not in {"json-schema", "openapi"}:
        raise InvalidParameter(
            f"dialect must be json-schema or openapi, got {dialect!r}.", field="dialect"
        )
    doc = documents.feature_schema(request, request.user, layer, dialect)
    return _json(doc, _schema_type(request))


@allow("GET", "POST")
def items(request: HttpRequest, layer: str) -> HttpResponse:
    """`GET /ogc/collections/{layer}/items`: a page of GeoJSON features.

    `POST` is the same search with a JSON body: a CQL2-JSON filter itself (as OWSLib sends
    it) or `{"filter": …, "limit": …, …}` with the parameters of GET.
    """
    query = request.GET.dict()
    if request.method == "POST":
        query.update(search_body(request.body))
    return _geojson(features.items(request, request.user, layer, parse_items(query), query))


@allow("GET")
def item(request: HttpRequest, layer: str, fid: str) -> HttpResponse:
    """`GET /ogc/collections/{layer}/items/{id}`: one feature."""
    crs = parse_crs(request.GET["crs"]) if request.GET.get("crs") else CRS84
    return _geojson(features.item(request, request.user, layer, fid, crs))
