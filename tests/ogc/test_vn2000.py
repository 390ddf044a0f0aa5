"""VN-2000: the server's transformations agree with PROJ (pyproj and cs2cs) to the millimetre."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pyproj import CRS, Transformer

from layers.ogc.crs import VN2000_CODES, parse_crs, supported

pytestmark = pytest.mark.django_db

# Known places (lon, lat) across the provinces and zones, onshore.
POINTS = {
    "Đà Lạt, Hồ Xuân Hương": (108.4419, 11.9404),
    "Hà Nội, Hồ Gươm": (105.8522, 21.0288),
    "Huế, Đại Nội": (107.5786, 16.4698),
    "Đà Nẵng": (108.2208, 16.0678),
    "Quy Nhơn": (109.2196, 13.7765),
    "Điện Biên Phủ": (103.0230, 21.3860),
    "Cần Thơ": (105.7469, 10.0452),
    "TP HCM, Bến Thành": (106.6981, 10.7725),
}
# The national 7 parameters (EPSG:6960, ../shared/reference/vn2000.md) as a PROJ pipeline.
TOWGS84 = (
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,"
    "0.252906278"
)


def _postgis(lon: float, lat: float, code: int) -> tuple[float, float]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform("
            "ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s) AS g) s",
            [lon, lat, code],
        )
        x, y = cur.fetchone()
    return float(x), float(y)


def _tolerance(code: int) -> float:
    return 1e-8 if CRS.from_epsg(code).is_geographic else 0.001  # ~1 mm either way


@pytest.mark.parametrize("code", VN2000_CODES)
def test_postgis_matches_pyproj_to_the_millimetre(code: int) -> None:
    forward = Transformer.from_crs(4326, code, always_xy=True)
    for name, (lon, lat) in POINTS.items():
        got = _postgis(lon, lat, code)
        expected = forward.transform(lon, lat)
        assert got == pytest.approx(expected, abs=_tolerance(code)), (name, code)


def test_onshore_points_use_the_national_seven_parameters() -> None:
    """Outside the Mekong delta blocks PROJ picks EPSG:6960: the 7 parameters of the reference."""
    pipeline = Transformer.from_crs(
        CRS.from_proj4("+proj=longlat +datum=WGS84 +no_defs"),
        CRS.from_proj4(f"+proj=longlat +ellps=WGS84 {TOWGS84} +no_defs"),
        always_xy=True,
    )
    for name in ("Đà Lạt, Hồ Xuân Hương", "Hà Nội, Hồ Gươm", "Huế, Đại Nội", "Quy Nhơn"):
        lon, lat = POINTS[name]
        assert _postgis(lon, lat, 4756) == pytest.approx(pipeline.transform(lon, lat), abs=1e-8), (
            name
        )


def test_mekong_delta_follows_the_same_choice_as_proj() -> None:
    """In the delta PROJ prefers EPSG:5194; we follow PROJ (as imports and GDAL do)."""
    national = Transformer.from_crs(
        CRS.from_proj4("+proj=longlat +datum=WGS84 +no_defs"),
        CRS.from_proj4(f"+proj=longlat +ellps=WGS84 {TOWGS84} +no_defs"),
        always_xy=True,
    )
    proj = Transformer.from_crs(4326, 4756, always_xy=True)
    for name in ("Cần Thơ", "TP HCM, Bến Thành"):
        lon, lat = POINTS[name]
        got = _postgis(lon, lat, 4756)
        assert got == pytest.approx(proj.transform(lon, lat), abs=1e-8), name
        dx = (got[0] - national.transform(lon, lat)[0]) * 111_320
        assert 0.3 < abs(dx) < 2.0, name  # metres: a documented, bounded difference


@pytest.mark.skipif(shutil.which("cs2cs") is None, reason="PROJ command-line tools missing")
@pytest.mark.parametrize("code", [4756, 3405, 3406, 5899, 9210, 9218])
def test_postgis_matches_cs2cs(code: int) -> None:
    lines = "\n".join(f"{lat} {lon}" for lon, lat in POINTS.values())
    out = subprocess.run(
        ["cs2cs", "-f", "%.10f", "EPSG:4326", f"EPSG:{code}"],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [tuple(map(float, re.split(r"\s+", line.strip())[:2])) for line in out.splitlines()]
    geographic = CRS.from_epsg(code).is_geographic
    for (lon, lat), row in zip(POINTS.values(), rows, strict=True):
        # cs2cs speaks the authority's axis order: lat/lon for 4756, east/north for projections.
        expected = (row[1], row[0]) if geographic else row
        assert _postgis(lon, lat, code) == pytest.approx(expected, abs=_tolerance(code))


def test_round_trip_through_a_tm3_zone_is_exact() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(ST_Transform("
            "ST_SetSRID(ST_MakePoint(108.4419, 11.9404), 4326), 5899), 4326) AS g) s"
        )
        assert cur.fetchone() == pytest.approx((108.4419, 11.9404), abs=1e-9)


def test_every_served_crs_is_known_to_postgis_and_proj() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT srid FROM spatial_ref_sys WHERE srid = ANY(%s)", [list(VN2000_CODES)])
        assert {r[0] for r in cur.fetchall()} == set(VN2000_CODES)
    for crs in supported():
        assert CRS.from_epsg(crs.srid).name
        assert parse_crs(crs.uri) == crs


def test_tm3_central_meridians_match_the_reference() -> None:
    """The table in ../shared/reference/vn2000.md against PROJ's definitions."""
    reference = Path(settings.GEO_IOC_DATA_DIR).parent / "reference" / "vn2000.md"
    if not reference.exists():
        pytest.skip("shared reference not present")
    rows = re.findall(r"^\| (\d{4}) \| (\d{3})°(\d{2})′", reference.read_text(), re.MULTILINE)
    assert len(rows) == 18
    for code, deg, minutes in rows:
        crs = CRS.from_epsg(int(code))
        params = {p.name: p.value for p in crs.coordinate_operation.params}
        assert params["Longitude of natural origin"] == pytest.approx(int(deg) + int(minutes) / 60)
        assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
        assert int(code) in VN2000_CODES
