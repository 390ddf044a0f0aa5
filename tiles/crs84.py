"""OGC API – Tiles in WorldCRS84Quad: the tileset GDAL's OGCAPI driver opens without options.

GDAL (3.6 to 3.12) lays a collection's tiles out from its `extent.spatial.bbox`, which OGC API
Features fixes in CRS84 degrees, without reprojecting it into the tile matrix's CRS: against
WebMercatorQuad (metres) no tile is found and the layer opens empty or not at all. It prefers a
WorldCRS84Quad tileset when one is offered, and there degrees meet degrees. These tiles are
rendered straight from the stored EPSG:4326 geometry, with the fields the caller may see; the
map keeps using WebMercatorQuad.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from psycopg import sql

from geo_ioc.core.errors import NotFound
from geo_ioc.core.http import allow
from layers.access import entry_of, get_visible_layer
from layers.catalogue import Entry
from layers.models import Layer
from layers.ogc.params import FilterParams
from layers.ogc.plan import plan_read
from tiles.errors import InvalidTile
from tiles.tms import MatrixSetSpec, matrix_set_document

TMS_ID = "WorldCRS84Quad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WorldCRS84Quad"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MVT = "application/vnd.mapbox-vector-tile"
MAX_ZOOM = 18
TILE_PIXELS = 256
EXTENT = 4096
BUFFER = 64
# Degrees per metre at the equator on the WGS 84 ellipsoid, and OGC's 0.28 mm pixel.
_METRES_PER_DEGREE = 6378137 * 3.141592653589793 / 180
_PIXEL_METRES = 0.00028
SPEC = MatrixSetSpec(
    id=TMS_ID,
    title="CRS84 for the World",
    uri=TMS_URI,
    crs=CRS84,
    axes=("Lon", "Lat"),
    well_known_scale_set="http://www.opengis.net/def/wkss/OGC/1.0/GoogleCRS84Quad",
    origin=(-180.0, 90.0),
    tile_pixels=TILE_PIXELS,
    columns_at_zero=2,
)


def cell_size(z: int) -> float:
    """Degrees per pixel at zoom `z` (two 180° tiles side by side at zoom 0)."""
    return 180.0 / TILE_PIXELS / (1 << z)


def tile_bounds(z: int, row: int, col: int) -> tuple[float, float, float, float]:
    """(minlon, minlat, maxlon, maxlat) of a tile."""
    size = 180.0 / (1 << z)
    minx = -180.0 + col * size
    maxy = 90.0 - row * size
    return minx, maxy - size, minx + size, maxy


def tile_range(extent: list[float] | tuple[float, ...], z: int) -> tuple[int, int, int, int]:
    """(minCol, minRow, maxCol, maxRow) of the tiles covering a lon/lat extent."""
    size = 180.0 / (1 << z)
    cols, rows = (2 << z) - 1, (1 << z) - 1
    min_col = max(0, int((extent[0] + 180.0) // size))
    max_col = min(cols, int((extent[2] + 180.0) // size))
    min_row = max(0, int((90.0 - extent[3]) // size))
    max_row = min(rows, int((90.0 - extent[1]) // size))
    return min_col, min_row, max_col, max_row


def tile_matrix_set() -> dict[str, Any]:
    """WorldCRS84Quad in the TMS 2.0 JSON encoding, with the 1.0 keys GDAL 3.6 reads."""
    cells = [cell_size(z) for z in range(MAX_ZOOM + 1)]
    return matrix_set_document(
        SPEC, [(cell, cell * _METRES_PER_DEGREE / _PIXEL_METRES) for cell in cells]
    )


def limits(layer: Layer) -> list[dict[str, Any]]:
    """tileMatrixSetLimits: the tiles that hold the layer, per zoom."""
    if not layer.extent:
        return []
    out = []
    for z in range(max(0, layer.min_zoom - 1), min(layer.max_zoom, MAX_ZOOM) + 1):
        min_col, min_row, max_col, max_row = tile_range(layer.extent, z)
        out.append(
            {
                "tileMatrix": str(z),
                "minTileRow": min_row,
                "maxTileRow": max_row,
                "minTileCol": min_col,
                "maxTileCol": max_col,
            }
        )
    return out


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidTile(f"{name} must be an integer, got {raw!r}.", field=name) from None


def render(user: Any, entry: Entry, z: int, row: int, col: int) -> bytes:
    """One MVT tile of the layer in WorldCRS84Quad (empty bytes when nothing is there)."""
    plan = plan_read(user, entry, FilterParams())
    rel = plan.relation
    minx, miny, maxx, maxy = tile_bounds(z, row, col)
    margin = (maxx - minx) * BUFFER / EXTENT
    envelope = sql.SQL("ST_MakeEnvelope({}, {}, {}, {}, 4326)").format(
        *(sql.Literal(v) for v in (minx, miny, maxx, maxy))
    )
    search = sql.SQL("ST_MakeEnvelope({}, {}, {}, {}, 4326)").format(
        *(sql.Literal(v) for v in (minx - margin, miny - margin, maxx + margin, maxy + margin))
    )
    columns = sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(f.name)) for f in plan.fields)
    query = sql.SQL(
        "SELECT ST_AsMVT(t, {name}, {extent}, 'geom', 'id' ORDER BY id) FROM ("
        " SELECT {id} AS id{columns},"
        " ST_AsMVTGeom({geom}, {envelope}::box2d, {extent}, {buffer}, true) AS geom"
        " FROM {relation} WHERE {geom} && {search}) AS t WHERE geom IS NOT NULL"
    ).format(
        name=sql.Literal(entry.slug),
        extent=sql.Literal(EXTENT),
        buffer=sql.Literal(BUFFER),
        id=sql.Identifier(rel.id_column),
        columns=columns,
        geom=sql.Identifier(rel.geom_column),
        envelope=envelope,
        relation=rel.relation,
        search=search,
    )
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        row_ = cur.fetchone()
    return bytes(row_[0]) if row_ and row_[0] else b""


@allow("GET")
def tile(request: HttpRequest, layer: str, z: str, row: str, col: str) -> HttpResponse:
    """`GET /ogc/collections/{layer}/tiles/WorldCRS84Quad/{z}/{row}/{col}`.

    An empty tile is a 200 with an empty body (an MVT without layers), which every reader
    takes as "nothing here" without a warning.
    """
    zi, ri, ci = _int("tileMatrix", z), _int("tileRow", row), _int("tileCol", col)
    if not 0 <= zi <= MAX_ZOOM:
        raise InvalidTile(f"tileMatrix must be between 0 and {MAX_ZOOM}.", field="tileMatrix")
    if not (0 <= ri < (1 << zi) and 0 <= ci < (2 << zi)):
        raise InvalidTile(f"No tile {ri}/{ci} in tile matrix {zi}.", field="tileRow")
    entry = entry_of(get_visible_layer(request.user, layer))
    if not entry.source.has_relation:
        raise NotFound(f"Layer {layer!r} has no WorldCRS84Quad tiles.", field="layer")
    response = HttpResponse(render(request.user, entry, zi, ri, ci), content_type=MVT)
    response["Vary"] = "Authorization, Cookie"
    return response
