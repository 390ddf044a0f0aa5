"""OGC API – Tiles: tilesets, the WebMercatorQuad tile matrix set, links to the MVT tiles.

Enough for GDAL's OGCAPI driver and QGIS to discover every layer's vector tiles: the landing page
and each collection link here; each tileset names its tile matrix set and carries the templated
tile URL (the same `/tiles/...mvt` the map uses, so the cache serves both).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from geo_ioc.core.errors import NotFound
from geo_ioc.core.http import allow
from layers.access import User, get_visible_layer, visible_fields, visible_layers
from layers.models import Layer
from tiles import crs84
from tiles.cache import tile_range
from tiles.tms import MAX_ZOOM, ORIGIN_SHIFT, MatrixSetSpec, matrix_set_document

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
REL_TILESETS = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
REL_TILESET = "http://www.opengis.net/def/rel/ogc/1.0/tileset"
REL_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
REL_SCHEMES = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
MVT = "application/vnd.mapbox-vector-tile"
JSON = "application/json"
# OGC's standardised rendering pixel (0.28 mm) turns a cell size into a scale denominator.
PIXEL_METRES = 0.00028
TILE_PIXELS = 256
SPEC = MatrixSetSpec(
    id=TMS_ID,
    title="Google Maps Compatible for the World",
    uri=TMS_URI,
    crs=CRS_3857,
    axes=("X", "Y"),
    well_known_scale_set="http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
    origin=(-ORIGIN_SHIFT, ORIGIN_SHIFT),
    tile_pixels=TILE_PIXELS,
    columns_at_zero=1,
)
_GEOMETRY_DIMENSION = {"Point": 0, "LineString": 1, "Polygon": 2}


def _abs(request: HttpRequest, name: str, **kwargs: str) -> str:
    return unquote(request.build_absolute_uri(reverse(name, kwargs=kwargs or None)))


def _link(href: str, rel: str, type_: str, title: str = "", **extra: Any) -> dict[str, Any]:
    link: dict[str, Any] = {"href": href, "rel": rel, "type": type_, **extra}
    if title:
        link["title"] = title
    return link


def tile_matrix_set() -> dict[str, Any]:
    """The WebMercatorQuad definition in the TMS 2.0 JSON encoding, with the 1.0 keys as well."""
    cells = [2 * ORIGIN_SHIFT / (TILE_PIXELS * (1 << z)) for z in range(MAX_ZOOM + 1)]
    return matrix_set_document(SPEC, [(cell, cell / PIXEL_METRES) for cell in cells])


def _limits(layer: Layer) -> list[dict[str, Any]]:
    if not layer.extent:
        return []
    from pyproj import Transformer

    to_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
    minx, miny = to_3857.transform(layer.extent[0], layer.extent[1])
    maxx, maxy = to_3857.transform(layer.extent[2], layer.extent[3])
    out = []
    for z in range(layer.min_zoom, min(layer.max_zoom, MAX_ZOOM) + 1):
        x0, y0, x1, y1 = tile_range((minx, miny, maxx, maxy), z)
        out.append(
            {
                "tileMatrix": str(z),
                "minTileRow": y0,
                "maxTileRow": y1,
                "minTileCol": x0,
                "maxTileCol": x1,
            }
        )
    return out


def _tileset_summary(request: HttpRequest, layer: Layer, tms: str = TMS_ID) -> dict[str, Any]:
    url = _abs(request, "ogc-tileset", layer=layer.slug, tms=tms)
    return {
        "title": layer.title_vi,
        "description": layer.title_en,
        "dataType": "vector",
        "crs": CRS_3857 if tms == TMS_ID else crs84.CRS84,
        "tileMatrixSetURI": TMS_URI if tms == TMS_ID else crs84.TMS_URI,
        "links": [
            # GDAL before 3.7 follows `self`; the standard names the relation `tileset`.
            _link(url, "self", JSON),
            _link(url, REL_TILESET, JSON),
            _link(_abs(request, "tilejson", layers=layer.slug), "describedby", JSON, "TileJSON"),
        ],
    }


def _summaries(request: HttpRequest, layer: Layer) -> list[dict[str, Any]]:
    """The layer's tilesets: WebMercatorQuad (the map's), and WorldCRS84Quad for GDAL."""
    return [_tileset_summary(request, layer, tms) for tms in (TMS_ID, crs84.TMS_ID)]


def tileset(request: HttpRequest, user: User, layer: Layer, tms: str = TMS_ID) -> dict[str, Any]:
    """One layer's tileset metadata, with the templated tile URL."""
    if tms == TMS_ID:
        template = _abs(request, "tile", layers=layer.slug, z="0", x="0", y="0").replace(
            "/0/0/0.mvt", "/{tileMatrix}/{tileCol}/{tileRow}.mvt"
        )
    else:
        template = _abs(
            request, "ogc-crs84-tile", layer=layer.slug, z="0", row="0", col="0"
        ).replace("/0/0/0", "/{tileMatrix}/{tileRow}/{tileCol}")
    base = layer.geometry_type.removeprefix("Multi")
    fields = {f.name: {"type": f.type.value} for f in visible_fields(user, layer)}
    doc = _tileset_summary(request, layer, tms)
    doc["tileMatrixSetDefinition"] = _abs(request, "ogc-tms", tms=tms)
    doc["links"] += [
        _link(_abs(request, "ogc-tms", tms=tms), REL_SCHEME, JSON, tms),
        _link(template, "item", MVT, "Vector tiles", templated=True),
    ]
    doc["tileMatrixSetLimits"] = _limits(layer) if tms == TMS_ID else crs84.limits(layer)
    doc["layers"] = [
        {
            "id": layer.slug,
            "title": layer.title_en,
            "dataType": "vector",
            "geometryDimension": _GEOMETRY_DIMENSION.get(base),
            "minTileMatrix": str(layer.min_zoom),
            "maxTileMatrix": str(layer.max_zoom),
            "propertiesSchema": {"type": "object", "properties": fields},
        }
    ]
    if layer.extent:
        doc["boundingBox"] = {
            "lowerLeft": list(layer.extent[:2]),
            "upperRight": list(layer.extent[2:]),
            "crs": CRS84,
        }
    return doc


def _json(doc: dict[str, Any]) -> JsonResponse:
    return JsonResponse(doc, json_dumps_params={"ensure_ascii": False})


@allow("GET")
def tilesets(request: HttpRequest) -> JsonResponse:
    """`GET /tiles`: every layer's tileset that the caller may see."""
    layers = visible_layers(request.user)
    return _json(
        {
            "links": [
                _link(_abs(request, "ogc-tilesets"), "self", JSON, "Vector tilesets"),
                _link(_abs(request, "ogc-tmss"), REL_SCHEMES, JSON, "Tile matrix sets"),
            ],
            "tilesets": [s for layer in layers for s in _summaries(request, layer)],
        }
    )


@allow("GET")
def collection_tilesets(request: HttpRequest, layer: str) -> JsonResponse:
    """`GET /ogc/collections/{layer}/tiles`: the layer's one tileset."""
    entry = get_visible_layer(request.user, layer)
    return _json(
        {
            "links": [_link(_abs(request, "ogc-collection-tiles", layer=layer), "self", JSON)],
            "tilesets": _summaries(request, entry),
        }
    )


def _check_tms(tms: str) -> None:
    if tms not in (TMS_ID, crs84.TMS_ID):
        raise NotFound(
            f"Unknown tile matrix set {tms!r}; this server offers {TMS_ID} and {crs84.TMS_ID}.",
            field="tms",
        )


@allow("GET")
def collection_tileset(request: HttpRequest, layer: str, tms: str) -> JsonResponse:
    """`GET /ogc/collections/{layer}/tiles/WebMercatorQuad`: tileset metadata."""
    _check_tms(tms)
    return _json(tileset(request, request.user, get_visible_layer(request.user, layer), tms))


@allow("GET")
def tile_matrix_sets(request: HttpRequest) -> JsonResponse:
    """`GET /ogc/tileMatrixSets`."""
    return _json(
        {
            "tileMatrixSets": [
                {
                    "id": TMS_ID,
                    "title": "Google Maps Compatible for the World",
                    "uri": TMS_URI,
                    "links": [_link(_abs(request, "ogc-tms", tms=TMS_ID), "self", JSON)],
                },
                {
                    "id": crs84.TMS_ID,
                    "title": "CRS84 for the World",
                    "uri": crs84.TMS_URI,
                    "links": [_link(_abs(request, "ogc-tms", tms=crs84.TMS_ID), "self", JSON)],
                },
            ]
        }
    )


@allow("GET")
def tile_matrix_set_view(request: HttpRequest, tms: str) -> JsonResponse:
    """`GET /ogc/tileMatrixSets/WebMercatorQuad`."""
    _check_tms(tms)
    return _json(tile_matrix_set() if tms == TMS_ID else crs84.tile_matrix_set())
