"""HTTP API of land parcels: lookup by number and by click, areas, overlay report, conflicts."""

from __future__ import annotations

import csv
import io
import math
import re
from importlib import resources

import yaml
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Polygon
from django.http import HttpRequest, HttpResponse

from geo_ioc.core.errors import InvalidParameter
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.inputs import parse_int
from geo_ioc.core.roles import Role, user_roles
from geo_ioc.land import queries, services
from geo_ioc.land.catalogue import CONFLICTS, PARCELS
from geo_ioc.land.errors import InvalidArea, InvalidCoordinates, InvalidParcelNumber
from geo_ioc.land.models import Parcel
from layers.access import get_visible_layer

# Who reads holder names and certificate numbers (every read is audited).
RESTRICTED_READERS = {Role.LAND_OFFICER.value, Role.ADMIN.value}
WARD_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,15}$")
MAX_AREA_DEG2 = 1.0  # about 12,000 km² at this latitude: a province, not a continent
CSV_COLUMNS = [
    "ward_code",
    "sheet",
    "number",
    "land_use",
    "land_use_vi",
    "planned_use",
    "conflict_share",
    "area_m2",
    "legal_area_m2",
    "address",
    "lon",
    "lat",
]


def _positive(request: HttpRequest, name: str) -> int:
    return parse_int(
        request.GET.get(name), name, low=1, high=999_999_999, error=InvalidParcelNumber
    )


def _ward(request: HttpRequest) -> str:
    raw = request.GET.get("ward", "").strip()
    if not WARD_RE.match(raw):
        raise InvalidParcelNumber(
            f"ward must be a ward's administrative code such as 672.01, got {raw!r}.",
            field="ward",
        )
    return raw


def _float(request: HttpRequest, name: str, low: float, high: float) -> float:
    raw = request.GET.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise InvalidCoordinates(f"{name} must be a number, got {raw!r}.", field=name) from None
    if not (math.isfinite(value) and low <= value <= high):
        raise InvalidCoordinates(f"{name} must be between {low} and {high}.", field=name)
    return value


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    return parse_int(raw, name, low=low, high=high)


def _area(request: HttpRequest) -> GEOSGeometry:
    bbox, wkt = request.GET.get("bbox"), request.GET.get("polygon")
    if bool(bbox) == bool(wkt):
        raise InvalidArea()
    if bbox:
        try:
            minx, miny, maxx, maxy = (float(v) for v in bbox.split(","))
        except ValueError:
            raise InvalidArea("bbox is minLon,minLat,maxLon,maxLat.", field="bbox") from None
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise InvalidArea("bbox minimums must be below its maximums, in degrees.", field="bbox")
        geom: GEOSGeometry = Polygon.from_bbox((minx, miny, maxx, maxy))
        geom.srid = 4326
    else:
        try:
            geom = GEOSGeometry(str(wkt), srid=4326)
        except (GEOSException, ValueError, TypeError):
            raise InvalidArea("polygon is not valid WKT.", field="polygon") from None
        if geom.geom_type not in {"Polygon", "MultiPolygon"} or not geom.valid:
            raise InvalidArea("polygon must be a valid (Multi)Polygon in lon/lat.", field="polygon")
    if geom.area > MAX_AREA_DEG2:
        raise InvalidArea("The area is larger than a province; query a smaller one.")
    return geom


def _detail(request: HttpRequest, parcel: Parcel) -> HttpResponse:
    """A parcel; land officers and admins also get the holder fields, and the read is audited."""
    restricted = bool(user_roles(request.user) & RESTRICTED_READERS)
    if restricted:
        services.audit_restricted_read(
            request.user, parcel, list(queries.RESTRICTED_FIELDS), request.get_full_path()
        )
    return json_response(queries.parcel_feature(parcel, restricted))


@allow("GET")
def lookup(request: HttpRequest) -> HttpResponse:
    """The parcel with a ward code, map sheet and parcel number."""
    get_visible_layer(request.user, PARCELS)
    key = queries.ParcelKey(
        ward=_ward(request), sheet=_positive(request, "sheet"), number=_positive(request, "parcel")
    )
    return _detail(request, queries.lookup(key))


@allow("GET")
def at(request: HttpRequest) -> HttpResponse:
    """Parcels containing a lon/lat (within a small tolerance), nearest first."""
    get_visible_layer(request.user, PARCELS)
    lon = _float(request, "lon", -180.0, 180.0)
    lat = _float(request, "lat", -90.0, 90.0)
    raw_tol = request.GET.get("tolerance")
    tolerance = 1.0
    if raw_tol:
        tolerance = _float(request, "tolerance", 0.0, queries.MAX_TOLERANCE_M)
    queries.check_in_province(lon, lat)
    features = queries.parcels_at(lon, lat, tolerance)
    return json_response(
        {"type": "FeatureCollection", "numberReturned": len(features), "features": features}
    )


@allow("GET")
def parcels(request: HttpRequest) -> HttpResponse:
    """Parcels intersecting a bbox or polygon, paged, with area totals per land-use code."""
    get_visible_layer(request.user, PARCELS)
    q = queries.AreaQuery(
        polygon=_area(request),
        limit=_int(request, "limit", 100, 1, queries.MAX_LIMIT),
        offset=_int(request, "offset", 0, 0, 10**9),
    )
    return json_response(queries.parcels_in(q))


@allow("GET")
def parcel(request: HttpRequest, parcel_id: str) -> HttpResponse:
    """One parcel by id."""
    get_visible_layer(request.user, PARCELS)
    return _detail(request, queries.get_parcel(parcel_id))


@allow("GET")
def overlay(request: HttpRequest, parcel_id: str) -> HttpResponse:
    """The parcel against the land-use plan: zones, overlaps, shares, conflict, area check."""
    get_visible_layer(request.user, PARCELS)
    report = queries.overlay(queries.get_parcel(parcel_id))
    return json_response(report.model_dump())


@allow("GET")
def conflicts(request: HttpRequest) -> HttpResponse:
    """Parcels of a ward in conflict with the plan: GeoJSON, or CSV with `format=csv`."""
    get_visible_layer(request.user, CONFLICTS)
    ward = _ward(request)
    fmt = request.GET.get("format", "geojson")
    if fmt not in {"geojson", "csv"}:
        raise InvalidParameter("format must be geojson or csv.", field="format")
    rows = queries.conflicts(ward)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="conflicts_{ward}.csv"'
        return response
    fields = (*queries.PUBLIC_FIELDS, "lon", "lat")
    features = [queries.feature(r, fields) for r in rows]
    return json_response(
        {"type": "FeatureCollection", "numberReturned": len(features), "features": features}
    )


@allow("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3 document of the land API."""
    text = resources.files("geo_ioc.land").joinpath("openapi.yaml").read_text("utf-8")
    return json_response(yaml.safe_load(text))
