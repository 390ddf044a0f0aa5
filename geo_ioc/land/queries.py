"""Reads of parcels: by number, by click, by area, the plan overlay and the conflicts."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.db import connection

from geo_ioc.core.inputs import int_or_none
from geo_ioc.land.codes import CODES, CONFLICT_MIN_SHARE, agrees
from geo_ioc.land.errors import OutsideProvince, ParcelNotFound, UnknownWard
from geo_ioc.land.models import Parcel
from geo_ioc.land.schemas import AreaTotal, OverlayReport, ParcelRef, ZoneOverlap
from layers import catalogue

PUBLIC_FIELDS = (
    "ward_code",
    "sheet",
    "number",
    "land_use",
    "land_use_vi",
    "land_use_en",
    "legal_area_m2",
    "area_m2",
    "address",
    "planned_use",
    "plan_conflict",
    "conflict_share",
    "synthetic",
)
RESTRICTED_FIELDS = ("holder_name", "certificate_no")
MAX_LIMIT = 1000
MAX_TOLERANCE_M = 50.0
METRES_PER_DEGREE = 111_320.0  # of latitude; longitude degrees shrink with cos(latitude)


def _sql(name: str) -> str:
    return resources.files("geo_ioc.land.sql").joinpath(name).read_text("utf-8")


def _rows(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cur:
        cur.execute(query, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def feature(row: dict[str, Any], fields: tuple[str, ...] = PUBLIC_FIELDS) -> dict[str, Any]:
    """A parcel row (with `geometry` as GeoJSON text) as a GeoJSON Feature."""
    props = {name: row[name] for name in fields if name in row}
    for name, digits in (("area_m2", 2), ("conflict_share", 4)):
        if props.get(name) is not None:
            props[name] = round(float(props[name]), digits)
    props["label"] = f"{row['ward_code']}/{row['sheet']}/{row['number']}"
    if "distance_m" in row:
        props["distance_m"] = round(float(row["distance_m"]), 2)
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": json.loads(row["geometry"]),
        "properties": props,
    }


def parcel_feature(parcel: Parcel, restricted: bool) -> dict[str, Any]:
    """One parcel as a Feature; `restricted` adds the holder fields (callers audit that)."""
    fields = PUBLIC_FIELDS + (RESTRICTED_FIELDS if restricted else ())
    row = {name: getattr(parcel, name) for name in fields}
    row.update(id=parcel.pk, geometry=parcel.geom.json)
    return feature(row, fields)


def get_parcel(raw_id: str) -> Parcel:
    """A parcel by id; a malformed or unknown id is a 404."""
    pk = int_or_none(raw_id)
    if pk is None:
        raise ParcelNotFound(f"No parcel {raw_id!r}.")
    parcel = Parcel.objects.filter(pk=pk).first()
    if parcel is None:
        raise ParcelNotFound(f"No parcel {raw_id}.")
    return parcel


@dataclass(frozen=True)
class ParcelKey:
    """Ward code, map sheet and parcel number, already validated."""

    ward: str
    sheet: int
    number: int


def lookup(key: ParcelKey) -> Parcel:
    """The parcel with this cadastral number; 404 naming what was not found."""
    parcel = Parcel.objects.filter(ward_code=key.ward, sheet=key.sheet, number=key.number).first()
    if parcel is not None:
        return parcel
    if not Parcel.objects.filter(ward_code=key.ward).exists():
        raise UnknownWard(f"No parcels are registered in ward {key.ward!r}.", field="ward")
    raise ParcelNotFound(
        f"Ward {key.ward} has no parcel {key.number} on map sheet {key.sheet}.", field="parcel"
    )


@lru_cache(maxsize=4)
def _province(database: str, code: str) -> PreparedGeometry | None:
    """The province's boundary from the `admin_units` layer (None if it is not loaded)."""
    entry = catalogue.lookup("admin_units")
    if entry is None or not entry.source.supports_features:
        return None
    ewkb = entry.source.union_where("code", code)
    if ewkb is None:
        return None
    return GEOSGeometry(memoryview(ewkb), srid=4326).prepared


def check_in_province(lon: float, lat: float) -> None:
    """Refuse a point outside the province (422), before any parcel query."""
    name = str(connection.settings_dict["NAME"])
    province = _province(name, settings.GEO_IOC_LAND_PROVINCE_CODE)
    if province is not None and not province.covers(Point(lon, lat, srid=4326)):
        raise OutsideProvince(
            f"({lon}, {lat}) is outside the province (code "
            f"{settings.GEO_IOC_LAND_PROVINCE_CODE}); parcels are only kept inside it."
        )


def parcels_at(lon: float, lat: float, tolerance_m: float = 1.0) -> list[dict[str, Any]]:
    """Parcels containing the point or within `tolerance_m` of it, nearest first."""
    # ST_DWithin on 4326 works in degrees: widen by the longitude degree's length here, so
    # no parcel within the tolerance is missed, then keep those truly within it (metres).
    degrees = tolerance_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    params = {
        "lon": lon,
        "lat": lat,
        "deg": degrees,
        "tol": tolerance_m,
        "srid": settings.GEO_IOC_LAND_SRID,
    }
    return [feature(r) for r in _rows(_sql("parcels_at.sql"), params)]


@dataclass(frozen=True)
class AreaQuery:
    """Parcels intersecting a polygon (WKT or bbox, EPSG:4326), one page of them."""

    polygon: GEOSGeometry
    limit: int
    offset: int


def parcels_in(q: AreaQuery) -> dict[str, Any]:
    """A page of parcels in an area, the number matched and area totals per land-use code."""
    params = {"area": q.polygon.ewkt, "limit": q.limit, "offset": q.offset}
    rows = _rows(_sql("parcels_in.sql"), params)
    totals = [
        AreaTotal(
            code=t["land_use"],
            name_vi=CODES[t["land_use"]][0],
            name_en=CODES[t["land_use"]][1],
            parcels=t["parcels"],
            area_m2=round(float(t["area_m2"] or 0.0), 1),
            legal_area_m2=round(float(t["legal_area_m2"] or 0.0), 1),
        ).model_dump()
        for t in _rows(_sql("parcels_in_totals.sql"), params)
    ]
    matched = sum(t["parcels"] for t in totals)
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(rows),
        "totals": totals,
        "features": [feature(r) for r in rows],
    }
    if q.offset + len(rows) < matched:
        body["next_offset"] = q.offset + len(rows)
    return body


def overlay(parcel: Parcel) -> OverlayReport:
    """The planning zones a parcel intersects, overlaps and shares in VN-2000, and conflicts."""
    srid = settings.GEO_IOC_LAND_SRID
    rows = _rows(_sql("overlay.sql"), {"id": parcel.pk, "srid": srid})
    measured = float(rows[0]["parcel_m2"]) if rows else _measure(parcel, srid)
    zones = []
    for r in rows:
        if r["zone_id"] is None or float(r["m2"]) <= 0.01:
            continue
        ok = agrees(parcel.land_use, r["code"])
        share = float(r["m2"]) / measured if measured else 0.0
        zones.append(
            ZoneOverlap(
                zone_id=r["zone_id"],
                code=r["code"],
                name_vi=r["name_vi"],
                name_en=r["name_en"],
                plan_name=r["plan_name"],
                period=f"{r['period_start']}–{r['period_end']}",
                overlap_m2=round(float(r["m2"]), 2),
                share=round(share, 6),
                agrees=ok,
            )
        )
    bad = sum(z.share for z in zones if not z.agrees)
    legal = parcel.legal_area_m2
    return OverlayReport(
        parcel=ParcelRef.of(parcel),
        crs=f"EPSG:{srid}",
        measured_area_m2=round(measured, 2),
        legal_area_m2=legal,
        area_difference_m2=round(measured - legal, 2),
        area_difference_pct=round(100.0 * (measured - legal) / legal, 3),
        zones=zones,
        covered_share=round(sum(z.share for z in zones), 6),
        planned_use=zones[0].code if zones else None,
        conflict_share=round(bad, 6),
        conflict=bad >= CONFLICT_MIN_SHARE,
    )


def _measure(parcel: Parcel, srid: int) -> float:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_Area(ST_Transform(geom, %s)) FROM land_parcel WHERE id = %s",
            [srid, parcel.pk],
        )
        return float(cur.fetchone()[0])


def ward_exists(ward: str) -> bool:
    """Whether any parcel is registered in the ward."""
    return Parcel.objects.filter(ward_code=ward).exists()


def conflicts(ward: str) -> list[dict[str, Any]]:
    """Parcels of a ward whose use conflicts with the plan, by sheet and number."""
    if not ward_exists(ward):
        raise UnknownWard(f"No parcels are registered in ward {ward!r}.", field="ward")
    return _rows(_sql("conflicts.sql"), {"ward": ward})
