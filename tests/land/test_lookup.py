"""Parcel lookup by number, by click and by area over real HTTP; errors are clear 4xx."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from django.db import IntegrityError, connection, transaction

from geo_ioc.land.models import Parcel
from geo_ioc.land.queries import parcels_at
from tests.land.conftest import KnownParcel

HÀ_NỘI = (105.8542, 21.0285)


def test_lookup_by_number_finds_each_known_parcel(
    http: httpx.Client, known_parcels: list[KnownParcel]
) -> None:
    assert len(known_parcels) == 16  # one per ward and commune of the demo
    for p in known_parcels:
        r = http.get(
            "/land/parcels/lookup", params={"ward": p.ward, "sheet": p.sheet, "parcel": p.number}
        )
        assert r.status_code == 200, r.text
        feature = r.json()
        assert feature["id"] == p.id
        assert feature["properties"]["label"] == f"{p.ward}/{p.sheet}/{p.number}"
        assert feature["geometry"]["type"] == "MultiPolygon"


def test_click_inside_a_parcel_returns_it_first(
    http: httpx.Client, known_parcels: list[KnownParcel]
) -> None:
    for p in known_parcels:
        r = http.get("/land/parcels/at", params={"lon": p.lon, "lat": p.lat})
        assert r.status_code == 200, r.text
        features = r.json()["features"]
        assert features[0]["id"] == p.id
        assert features[0]["properties"]["distance_m"] == 0.0
        assert all(f["properties"]["distance_m"] <= 1.0 for f in features)


@pytest.mark.django_db
def test_click_tolerance_reaches_a_parcel_just_outside() -> None:
    with connection.cursor() as cur:
        # 3 m east of a parcel's easternmost vertex (in VN-2000 metres): outside it, 3 m away.
        cur.execute(
            "SELECT p.id, ST_X(q), ST_Y(q) FROM land_parcel p, LATERAL ("
            " SELECT ST_Transform(ST_Translate(d.geom, 3, 0), 4326) AS q"
            " FROM ST_DumpPoints(ST_Transform(p.geom, 5899)) d"
            " ORDER BY ST_X(d.geom) DESC LIMIT 1) e"
            " WHERE p.land_use = 'ODT' ORDER BY p.id LIMIT 1"
        )
        pid, lon, lat = cur.fetchone()
    assert pid not in [f["id"] for f in parcels_at(lon, lat, 1.0)]
    found = {f["id"]: f["properties"]["distance_m"] for f in parcels_at(lon, lat, 5.0)}
    assert found[pid] == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"ward": "672.01", "sheet": "0", "parcel": "1"}, 400, "invalid_parcel_number"),
        ({"ward": "672.01", "sheet": "1", "parcel": "abc"}, 400, "invalid_parcel_number"),
        ({"ward": "", "sheet": "1", "parcel": "1"}, 400, "invalid_parcel_number"),
        ({"ward": "672.99", "sheet": "1", "parcel": "1"}, 404, "unknown_ward"),
        ({"ward": "672.01", "sheet": "1", "parcel": "999999"}, 404, "parcel_not_found"),
    ],
)
def test_invalid_or_unknown_numbers_are_clear_errors(
    http: httpx.Client, params: dict[str, str], status: int, code: str
) -> None:
    r = http.get("/land/parcels/lookup", params=params)
    assert r.status_code == status
    assert r.json()["code"] == code and r.json()["message"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"lon": HÀ_NỘI[0], "lat": HÀ_NỘI[1]}, 422, "outside_province"),
        ({"lon": "108.44", "lat": "95"}, 400, "invalid_coordinates"),
        ({"lon": "east", "lat": "11.9"}, 400, "invalid_coordinates"),
        ({"lon": "nan", "lat": "11.9"}, 400, "invalid_coordinates"),
        ({"lon": "108.44", "lat": "11.94", "tolerance": "500"}, 400, "invalid_coordinates"),
    ],
)
def test_bad_or_outside_coordinates_are_clear_errors(
    http: httpx.Client, params: dict[str, str], status: int, code: str
) -> None:
    r = http.get("/land/parcels/at", params=params)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code


def test_a_wrong_typed_id_is_a_404(http: httpx.Client) -> None:
    assert http.get("/land/parcels/abc").status_code == 404
    assert http.get("/land/parcels/abc/overlay").status_code == 404


@pytest.mark.django_db
def test_the_cadastral_key_is_unique() -> None:
    first = Parcel.objects.order_by("id").first()
    assert first is not None
    copy = Parcel(
        ward_code=first.ward_code,
        sheet=first.sheet,
        number=first.number,
        land_use="ODT",
        land_use_vi="Đất ở tại đô thị",
        land_use_en="Urban residential",
        legal_area_m2=100.0,
        geom=first.geom,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_area_query_pages_and_totals(http: httpx.Client) -> None:
    bbox = "108.430,11.935,108.445,11.945"
    first = http.get("/land/parcels", params={"bbox": bbox, "limit": 50}).json()
    assert first["numberReturned"] == 50 and first["next_offset"] == 50
    totals = first["totals"]
    assert sum(t["parcels"] for t in totals) == first["numberMatched"] > 50
    assert all(t["area_m2"] > 0 and t["name_vi"] for t in totals)
    second = http.get("/land/parcels", params={"bbox": bbox, "limit": 50, "offset": 50}).json()
    ids = {f["id"] for f in first["features"]} | {f["id"] for f in second["features"]}
    assert len(ids) == 100
    polygon = (
        "POLYGON((108.430 11.935,108.445 11.935,108.445 11.945,108.430 11.945,108.430 11.935))"
    )
    same = http.get("/land/parcels", params={"polygon": polygon, "limit": 1}).json()
    assert same["numberMatched"] == first["numberMatched"] and same["totals"] == totals


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"bbox": "1,2,3"},
        {"bbox": "108.45,11.9,108.44,11.95"},
        {"polygon": "POLYGON((0 0, 1 1))"},
        {"polygon": "LINESTRING(108.4 11.9, 108.5 12.0)"},
        {"bbox": "100,5,110,15"},
        {"bbox": "108.43,11.93,108.44,11.94", "limit": "5000"},
    ],
)
def test_bad_areas_are_400(http: httpx.Client, params: dict[str, str]) -> None:
    r = http.get("/land/parcels", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["code"] in {"invalid_area", "invalid_parameter"}


@pytest.mark.django_db
def test_conflicts_of_a_ward_as_geojson_and_csv(http: httpx.Client) -> None:
    ward = Parcel.objects.filter(plan_conflict=True).values_list("ward_code", flat=True).first()
    assert ward is not None
    expected = Parcel.objects.filter(ward_code=ward, plan_conflict=True).count()
    geo = http.get("/land/conflicts", params={"ward": ward}).json()
    assert geo["numberReturned"] == expected
    assert all(f["properties"]["plan_conflict"] for f in geo["features"])
    r = http.get("/land/conflicts", params={"ward": ward, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == expected
    assert {"ward_code", "sheet", "number", "land_use", "planned_use", "lon", "lat"} <= set(rows[0])
    assert http.get("/land/conflicts").status_code == 400
    assert http.get("/land/conflicts", params={"ward": "999.99"}).status_code == 404
    assert http.get("/land/conflicts", params={"ward": ward, "format": "xls"}).status_code == 400


def test_openapi_documents_every_land_endpoint(http: httpx.Client) -> None:
    doc = http.get("/land/api").json()
    assert doc["openapi"].startswith("3.")
    assert {
        "/land/parcels/lookup",
        "/land/parcels/at",
        "/land/parcels",
        "/land/parcels/{id}",
        "/land/parcels/{id}/overlay",
        "/land/conflicts",
    } <= set(doc["paths"])
