"""Overlay reports: shares add up, conflicts match the stored status, VN-2000 areas are right."""

from __future__ import annotations

import math

import httpx
import pytest
from django.db import connection
from pyproj import Geod

from geo_ioc.land.models import Parcel

pytestmark = pytest.mark.django_db


def _ids(where: str, n: int = 10) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT id FROM land_parcel WHERE {where} ORDER BY md5(id::text) LIMIT {n}")
        return [r[0] for r in cur.fetchall()]


def test_shares_add_up_for_parcels_inside_the_plan(http: httpx.Client) -> None:
    # Parcels in one zone and parcels cut by a road-widening corridor (two or more zones).
    single = _ids("NOT plan_conflict")
    split = _ids("plan_conflict AND conflict_share < 0.95")
    assert single and split
    for pid in single + split:
        report = http.get(f"/land/parcels/{pid}/overlay").json()
        assert report["crs"] == "EPSG:5899"
        shares = [z["share"] for z in report["zones"]]
        assert sum(shares) == pytest.approx(1.0, abs=1e-4), report
        assert report["covered_share"] == pytest.approx(1.0, abs=1e-4)
        overlap = sum(z["overlap_m2"] for z in report["zones"])
        assert overlap == pytest.approx(report["measured_area_m2"], rel=1e-4)
    for pid in split:
        report = http.get(f"/land/parcels/{pid}/overlay").json()
        assert len(report["zones"]) >= 2
        assert any(not z["agrees"] and z["code"] == "DGT" for z in report["zones"]) or any(
            not z["agrees"] for z in report["zones"]
        )


def test_report_agrees_with_the_stored_plan_status(http: httpx.Client) -> None:
    for pid in _ids("plan_conflict", 8) + _ids("NOT plan_conflict", 8):
        parcel = Parcel.objects.get(pk=pid)
        report = http.get(f"/land/parcels/{pid}/overlay").json()
        assert report["conflict"] == parcel.plan_conflict
        assert report["planned_use"] == parcel.planned_use
        assert report["conflict_share"] == pytest.approx(parcel.conflict_share, abs=1e-4)


def test_area_difference_is_measured_minus_legal(http: httpx.Client) -> None:
    pid = _ids("true", 1)[0]
    parcel = Parcel.objects.get(pk=pid)
    report = http.get(f"/land/parcels/{pid}/overlay").json()
    assert report["legal_area_m2"] == parcel.legal_area_m2
    diff = report["measured_area_m2"] - parcel.legal_area_m2
    assert report["area_difference_m2"] == pytest.approx(diff, abs=0.02)
    assert report["area_difference_pct"] == pytest.approx(100 * diff / parcel.legal_area_m2, 1e-2)


def test_vn2000_area_is_true_and_web_mercator_inflates_it(http: httpx.Client) -> None:
    geod = Geod(ellps="WGS84")
    for pid in _ids("land_use IN ('ODT', 'BHK', 'RSX')", 6):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT ST_Area(ST_Transform(geom, 3857)), ST_AsText(ST_GeometryN(geom, 1)),"
                " ST_Y(ST_Centroid(geom)) FROM land_parcel WHERE id = %s",
                [pid],
            )
            merc, wkt, lat = cur.fetchone()
        from shapely import wkt as shapely_wkt

        truth = abs(geod.geometry_area_perimeter(shapely_wkt.loads(wkt))[0])
        vn2000 = http.get(f"/land/parcels/{pid}/overlay").json()["measured_area_m2"]
        # TM-3 (scale 0.9999 on 107°45′E, ~75 km from Đà Lạt): within 0.02 % of the ellipsoid.
        assert vn2000 == pytest.approx(truth, rel=2e-4)
        # Web Mercator puts WGS 84 lon/lat on a sphere of radius a: its area element is
        # a² sec φ dλ dφ against the ellipsoid's M N cos φ dλ dφ, so it inflates areas by
        # a²/(M N) · sec² φ — about +5.1 % at 11.9°N (sec² φ alone is +4.5 %).
        a, e2 = geod.a, geod.es
        s2 = math.sin(math.radians(lat)) ** 2
        m = a * (1 - e2) / (1 - e2 * s2) ** 1.5
        n = a / math.sqrt(1 - e2 * s2)
        inflation = a * a / (m * n) / math.cos(math.radians(lat)) ** 2
        assert merc / truth == pytest.approx(inflation, rel=2e-4)
        assert merc / vn2000 > 1.04
