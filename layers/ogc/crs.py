"""Coordinate reference systems served by OGC API Features and exports, and their axis order.

Axis order is the classic trap. OGC API Features Part 2 follows each CRS's authority: with
`crs=http://www.opengis.net/def/crs/EPSG/0/4326` (and EPSG:4756, VN-2000 geographic) the
coordinates are **latitude, longitude**; the default CRS84 is **longitude, latitude**; every
projected CRS here (3857, VN-2000 UTM and TM-3) is easting, northing. GDAL's OAPIF driver relies
on this. Files written by exports keep the traditional GIS order (x = longitude) whatever the
CRS, as GDAL, QGIS and ArcGIS expect of a GeoPackage or Shapefile.

VN-2000 → WGS 84: all transformations run in PostGIS with `ST_Transform` between EPSG codes, so
PROJ's database picks the operation exactly as pyproj, GDAL and QGIS do: EPSG:6960 "VN-2000 to
WGS 84 (2)" (the national 7 parameters) across onshore Vietnam, EPSG:5194 in the Mekong delta
blocks it covers. Imports (geopandas `to_crs`) make the same choice, so a file imported in
VN-2000 and exported in VN-2000 comes back where it was. The tests compare with pyproj and
`cs2cs` to the millimetre.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from psycopg import sql

from geo_ioc.core.errors import InvalidParameter
from geo_ioc.core.inputs import int_or_none

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"

# VN-2000 geographic, UTM 48N/49N, and the TM-3 provincial zones PROJ knows
# (../shared/reference/vn2000.md); EPSG:6956–6959 are deprecated and left out.
VN2000_CODES: tuple[int, ...] = (4756, 3405, 3406, 5896, 5897, 5898, 5899, *range(9205, 9219))
EPSG_CODES: tuple[int, ...] = (4326, 3857, *VN2000_CODES)

_URI_RE = re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/0/(\d+)$", re.IGNORECASE)
_CURIE_RE = re.compile(r"^\[?EPSG:(\d+)\]?$", re.IGNORECASE)
_URN_RE = re.compile(r"^urn:ogc:def:crs:EPSG:[^:]*:(\d+)$", re.IGNORECASE)
_CRS84_NAMES = {
    CRS84_URI.lower(),
    CRS84_URI.replace("http://", "https://").lower(),
    "ogc:crs84",
    "[ogc:crs84]",
    "crs84",
    "urn:ogc:def:crs:ogc:1.3:crs84",
}


@dataclass(frozen=True)
class Crs:
    """A CRS the server can answer in: its SRID, its URI and the axis order of its authority."""

    srid: int
    uri: str
    name: str
    lat_first: bool  # first axis is north (EPSG:4326, EPSG:4756), per the EPSG definition
    geographic: bool

    @property
    def epsg(self) -> str:
        """`EPSG:<srid>`, as GDAL and pyproj name it."""
        return f"EPSG:{self.srid}"

    @property
    def decimals(self) -> int:
        """Coordinate decimals worth sending: ~1 mm in degrees or in metres."""
        return 8 if self.geographic else 3

    def header(self) -> str:
        """Value of the `Content-Crs` header (OGC API Features Part 2)."""
        return f"<{self.uri}>"


CRS84 = Crs(4326, CRS84_URI, "WGS 84 (CRS84, longitude/latitude)", False, True)


@cache
def _epsg(code: int) -> Crs:
    from pyproj import CRS as ProjCrs

    proj = ProjCrs.from_epsg(code)
    lat_first = proj.axis_info[0].direction.lower() in {"north", "south"}
    return Crs(code, EPSG_URI.format(code), proj.name, lat_first, bool(proj.is_geographic))


def epsg(code: int) -> Crs:
    """A supported EPSG CRS by code."""
    if code not in EPSG_CODES:
        raise KeyError(code)
    return _epsg(code)


def supported() -> list[Crs]:
    """Every CRS the server answers in, CRS84 first (the default)."""
    return [CRS84, *(_epsg(code) for code in EPSG_CODES)]


def supported_uris() -> list[str]:
    """URIs for the `crs` lists of collections."""
    return [c.uri for c in supported()]


def parse_crs(text: str, field: str = "crs", *, bare_codes: bool = False) -> Crs:
    """A CRS from a URI (`http://www.opengis.net/def/crs/EPSG/0/5899`), `EPSG:5899` or CRS84.

    With `bare_codes`, a plain number (`5899`) is also accepted (exports and the CLI).
    """
    raw = text.strip()
    if raw.lower() in _CRS84_NAMES:
        return CRS84
    code: int | None = None
    for pattern in (_URI_RE, _CURIE_RE, _URN_RE):
        match = pattern.match(raw)
        if match:
            code = int_or_none(match.group(1))
            break
    if code is None and bare_codes:
        code = int_or_none(raw)
    if code is None or code not in EPSG_CODES:
        codes = ", ".join(str(c) for c in EPSG_CODES)
        raise InvalidParameter(
            f"{field} {raw!r} is not supported; use {CRS84_URI} or "
            f"http://www.opengis.net/def/crs/EPSG/0/<code> with a code among {codes}.",
            field=field,
        )
    return _epsg(code)


def output_geometry(geom: sql.Composable, crs: Crs, *, authority_axes: bool) -> sql.Composable:
    """A stored EPSG:4326 geometry expressed in `crs`.

    With `authority_axes` (OGC API responses) latitude comes first where the CRS says so; files
    keep x = easting/longitude.
    """
    expr = geom
    if crs.srid != 4326:
        expr = sql.SQL("ST_Transform({}, {})").format(expr, sql.Literal(crs.srid))
    if authority_axes and crs.lat_first:
        expr = sql.SQL("ST_FlipCoordinates({})").format(expr)
    return expr


def input_geometry(geom: sql.Composable, crs: Crs, *, authority_axes: bool) -> sql.Composable:
    """A geometry given in `crs` (SRID not set) as EPSG:4326, to compare with stored ones."""
    expr = geom
    if authority_axes and crs.lat_first:
        expr = sql.SQL("ST_FlipCoordinates({})").format(expr)
    expr = sql.SQL("ST_SetSRID({}, {})").format(expr, sql.Literal(crs.srid))
    if crs.srid != 4326:
        expr = sql.SQL("ST_Transform({}, 4326)").format(expr)
    return expr
