"""Tile matrix maths for WebMercatorQuad (EPSG:3857), and request parsing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from geo_ioc.core.inputs import parse_int
from tiles.errors import InvalidTile, TooManyLayers

MAX_ZOOM = 22
MAX_LAYERS = 16
# Half the side of the Web Mercator square, in metres.
ORIGIN_SHIFT = 20037508.342789244


@dataclass(frozen=True)
class Tile:
    """A tile address in the WebMercatorQuad matrix set (XYZ: y grows southwards)."""

    z: int
    x: int
    y: int

    def bounds_3857(self) -> tuple[float, float, float, float]:
        """The tile's envelope in EPSG:3857 metres, as ST_TileEnvelope computes it."""
        size = 2 * ORIGIN_SHIFT / (1 << self.z)
        minx = -ORIGIN_SHIFT + self.x * size
        maxy = ORIGIN_SHIFT - self.y * size
        return (minx, maxy - size, minx + size, maxy)


def _int(name: str, raw: str) -> int:
    return parse_int(raw, name, high=2**31 - 1, error=InvalidTile)


def parse_tile(z: str, x: str, y: str) -> Tile:
    """Validate z/x/y before any SQL; the message says what would be valid."""
    zi, xi, yi = _int("z", z), _int("x", x), _int("y", y)
    if not 0 <= zi <= MAX_ZOOM:
        raise InvalidTile(f"z must be between 0 and {MAX_ZOOM}, got {zi}.", field="z")
    side = 1 << zi
    for name, value in (("x", xi), ("y", yi)):
        if not 0 <= value < side:
            raise InvalidTile(
                f"{name} must be between 0 and {side - 1} at zoom {zi}, got {value}.", field=name
            )
    return Tile(zi, xi, yi)


def parse_layer_list(raw: str) -> list[str]:
    """`a,b,c` into distinct slugs in request order."""
    slugs = list(dict.fromkeys(s.strip() for s in raw.split(",") if s.strip()))
    if not slugs:
        raise InvalidTile("No layer named.", field="layers")
    if len(slugs) > MAX_LAYERS:
        raise TooManyLayers(
            f"At most {MAX_LAYERS} layers per tile, got {len(slugs)}.", field="layers"
        )
    return slugs


def lonlat_to_tile(lon: float, lat: float, z: int) -> Tile:
    """The tile containing a WGS 84 point (handy for tests and seeding)."""
    n = 1 << z
    lat_r = math.radians(lat)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return Tile(z, min(max(x, 0), n - 1), min(max(y, 0), n - 1))


@dataclass(frozen=True)
class MatrixSetSpec:
    """What distinguishes one quad-tree tile matrix set document from another."""

    id: str
    title: str
    uri: str
    crs: str
    axes: tuple[str, str]
    well_known_scale_set: str
    origin: tuple[float, float]  # top-left corner, in the CRS's axis order
    tile_pixels: int
    columns_at_zero: int  # matrix width at zoom 0 (rows are always 1 << z)


def matrix_set_document(
    spec: MatrixSetSpec, zoom_cells: list[tuple[float, float]]
) -> dict[str, Any]:
    """A tile matrix set in the TMS 2.0 JSON encoding with the 1.0 keys beside it.

    `zoom_cells` holds (cell size, scale denominator) per zoom from 0. GDAL up to 3.6 (Debian 12)
    reads only the 1.0 encoding; newer readers take the 2.0 keys.
    """
    matrices, legacy = [], []
    for z, (cell, scale) in enumerate(zoom_cells):
        common = {
            "scaleDenominator": scale,
            "tileWidth": spec.tile_pixels,
            "tileHeight": spec.tile_pixels,
            "matrixWidth": spec.columns_at_zero << z,
            "matrixHeight": 1 << z,
        }
        origin = list(spec.origin)
        matrices.append(
            {
                "id": str(z),
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": origin,
                **common,
            }
        )
        legacy.append(
            {"type": "TileMatrixType", "identifier": str(z), "topLeftCorner": origin, **common}
        )
    return {
        "type": "TileMatrixSetType",
        "identifier": spec.id,
        "supportedCRS": spec.crs,
        "tileMatrix": legacy,
        "id": spec.id,
        "title": spec.title,
        "uri": spec.uri,
        "crs": spec.crs,
        "orderedAxes": list(spec.axes),
        "wellKnownScaleSet": spec.well_known_scale_set,
        "tileMatrices": matrices,
    }
