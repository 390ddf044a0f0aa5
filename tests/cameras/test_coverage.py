"""Fields of view in PostGIS: the sector, cut by a building; the coverage layer and report."""

from __future__ import annotations

import math

import httpx
import pytest

from geo_ioc.cameras.coverage import refresh_fov, report
from tests.cameras.conftest import MakeCamera
from tests.conftest import Users
from tests.helpers import auth, rows

UTM = 32649  # Đà Lạt's UTM zone, where metres are metres


def at(camera_id: int, east: float, north: float) -> str:
    """WKT (EPSG:4326) of the point `east`, `north` metres from a camera."""
    return rows(
        "SELECT ST_AsText(ST_Transform(ST_Translate(ST_Transform(geom, %s), %s, %s), 4326))"
        " FROM cameras_camera WHERE id = %s",
        [UTM, east, north, camera_id],
    )[0][0]


def sees(camera_id: int, east: float, north: float) -> bool:
    return bool(
        rows(
            "SELECT ST_Contains(fov, ST_GeomFromText(%s, 4326)) FROM cameras_camera WHERE id = %s",
            [at(camera_id, east, north), camera_id],
        )[0][0]
    )


def area(camera_id: int) -> float:
    return float(
        rows("SELECT ST_Area(fov::geography) FROM cameras_camera WHERE id = %s", [camera_id])[0][0]
    )


def add_building(camera_id: int, east: float, north: float, half: float) -> None:
    """A square building `2 × half` metres wide centred `east`, `north` of the camera."""
    rows(
        "INSERT INTO layer_data.buildings (building, geom)"
        " SELECT 'yes', ST_Multi(ST_Transform("
        "ST_Expand(ST_Translate(ST_Transform(geom, %s), %s, %s), %s), 4326))"
        " FROM cameras_camera WHERE id = %s RETURNING id",
        [UTM, east, north, half, camera_id],
    )


def test_the_sector_cut_by_a_building(make_camera: MakeCamera) -> None:
    cam = make_camera(heading_deg=90, fov_deg=60, range_m=100)
    assert rows(
        "SELECT count(*) FROM layer_data.buildings b, cameras_camera c"
        " WHERE c.id = %s AND ST_DWithin(b.geom::geography, c.geom::geography, 300)",
        [cam.pk],
    ) == [(0,)], "the test spot must be free of buildings"
    assert refresh_fov([cam.pk]) == [cam.pk]
    sector = math.pi * 100**2 * 60 / 360
    assert area(cam.pk) == pytest.approx(sector, rel=0.02)
    assert sees(cam.pk, 70, 0) and sees(cam.pk, 20, 0)
    assert not sees(cam.pk, -20, 0), "behind the camera"
    assert not sees(cam.pk, 120, 0), "beyond its range"
    assert not sees(cam.pk, 50, 45), "outside the angle (bearing 48°)"

    add_building(cam.pk, 40, 0, 5)  # 10 m wide, 35–45 m east
    assert refresh_fov([cam.pk]) == [cam.pk]
    assert sees(cam.pk, 20, 0), "in front of the building"
    assert not sees(cam.pk, 40, 0), "the building itself"
    assert not sees(cam.pk, 70, 0) and not sees(cam.pk, 95, 3), "in its shadow"
    assert sees(cam.pk, 70, 20), "beside the shadow"
    # The shadow: a wedge 2·atan(5/35) wide from 35 m out to the range.
    wedge = math.degrees(2 * math.atan(5 / 35)) / 360 * math.pi * (100**2 - 35**2)
    assert sector - area(cam.pk) == pytest.approx(wedge, rel=0.1)
    assert refresh_fov([cam.pk]) == [], "unchanged: nothing rewritten"


def test_a_building_the_camera_is_on_hides_nothing(make_camera: MakeCamera) -> None:
    cam = make_camera(heading_deg=0, fov_deg=90, range_m=60)
    add_building(cam.pk, 0, 0, 3)  # mounted on its wall: the camera stands inside the footprint
    refresh_fov([cam.pk])
    assert area(cam.pk) == pytest.approx(math.pi * 60**2 / 4, rel=0.02)


@pytest.mark.django_db
def test_demo_cameras_have_fields_of_view_in_the_coverage_layer(
    http: httpx.Client, users: Users
) -> None:
    expected = rows("SELECT count(*) FROM cameras_camera WHERE fov IS NOT NULL")[0][0]
    assert expected == rows("SELECT count(*) FROM cameras_camera")[0][0] > 0
    got = http.get("/ogc/collections/camera_coverage/items?limit=500", headers=auth(users.operator))
    assert got.status_code == 200
    body = got.json()
    assert body["numberMatched"] == expected
    assert {f["geometry"]["type"] for f in body["features"]} == {"Polygon"}
    assert (
        http.get("/ogc/collections/camera_coverage/items", headers=auth(users.planner)).status_code
        == 403
    )


@pytest.mark.django_db
def test_coverage_report_against_sql(http: httpx.Client, users: Users) -> None:
    got = http.get("/cameras/coverage/report", headers=auth(users.operator))
    assert got.status_code == 200
    communes = {c["code"]: c for c in got.json()["communes"]}
    assert communes.keys() == {
        r[0] for r in rows("SELECT code FROM layer_data.admin_units WHERE level = 3")
    }
    # Covered length, measured on its own: road ∩ commune ∩ every field of view.
    covered = dict(
        rows(
            "WITH cover AS (SELECT ST_Union(fov) AS g FROM cameras_camera)"
            " SELECT u.code, sum(ST_Length("
            "ST_Intersection(ST_Intersection(r.geom, u.geom), cover.g)::geography))"
            " FROM layer_data.admin_units u"
            " JOIN layer_data.roads r ON ST_Intersects(r.geom, u.geom), cover"
            " WHERE u.level = 3 GROUP BY u.code"
        )
    )
    seen_somewhere = False
    for code, c in communes.items():
        assert c["road_m"] >= c["uncovered_road_m"] >= 0
        assert c["road_m"] - c["uncovered_road_m"] == pytest.approx(
            float(covered.get(code) or 0), abs=1.0
        )
        seen_somewhere |= c["uncovered_road_m"] < c["road_m"]
        for kind, n in c["places"].items():
            assert kind in {"school", "market", "junction"}
            assert 0 <= n["uncovered"] <= n["total"]
    assert seen_somewhere
    assert sum(len(c["uncovered_places"]) for c in communes.values()) == sum(
        n["uncovered"] for c in communes.values() for n in c["places"].values()
    )
    bad = http.get("/cameras/coverage/report?working=maybe", headers=auth(users.operator))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_parameter"


def test_report_in_process_matches_working_filter(db: None) -> None:
    everyone = {r.code: r.uncovered_m for r in report()}
    rows("UPDATE cameras_camera SET status = 'offline' RETURNING id")
    nobody = {r.code: r.uncovered_m for r in report(working=True)}
    road = {r.code: r.road_m for r in report(working=True)}
    assert all(nobody[c] == pytest.approx(road[c]) for c in road)
    assert any(everyone[c] < nobody[c] for c in everyone)
