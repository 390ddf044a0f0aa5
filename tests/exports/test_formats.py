"""Each export format re-imports (pyogrio) to the same features and attributes as PostGIS."""

from __future__ import annotations

import math
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pyogrio
import pytest
import shapely
from django.db import connection
from django.utils import timezone
from pyproj import CRS, Transformer

from tests.conftest import Users
from tests.exports.conftest import save
from tests.ogc.helpers import auth, served_ids

pytestmark = pytest.mark.django_db

ROAD_FIELDS = ["name", "highway", "ref", "lanes", "maxspeed", "oneway", "surface", "osm_id"]
INCIDENT_FIELDS = ["code", "type", "severity", "status", "reported_at", "description", "synthetic"]
FORMATS = ["gpkg", "shp", "geojson", "csv", "fgb", "kml"]
VIETNAMESE = "Hồ Tùng Mậu"


def truth(relation: str, fields: list[str], srid: int = 4326) -> dict[int, dict[str, Any]]:
    cols = ", ".join(fields)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, {cols}, ST_AsBinary(ST_Transform(geom, %s)) FROM {relation}", [srid]
        )
        return {
            int(r[0]): {
                **dict(zip(fields, r[1:-1], strict=True)),
                "geom": shapely.from_wkb(bytes(r[-1])),
            }
            for r in cur.fetchall()
        }


def read(path: Path) -> pd.DataFrame:
    """Re-import with pyogrio (its own GDAL), the way a planner's notebook would."""
    return pyogrio.read_dataframe(path)


def _norm(value: Any) -> Any:
    """Compare across formats: NaN/NA are NULL, whole floats are ints, timestamps are UTC."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.astimezone(timezone.UTC) if value.tzinfo else value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_text(value: Any) -> Any:
    value = _norm(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, bool):
        return value
    return str(value)


def compare(
    df: pd.DataFrame, expected: dict[int, dict[str, Any]], fields: list[str], fmt: str
) -> None:
    assert len(df) == len(expected)
    # KML readers give the Placemark id as `id`; ours comes back as `id2`.
    ids = [int(v) for v in df["id2" if fmt == "kml" else "id"]]
    assert sorted(ids) == sorted(expected)
    for (_, row), fid in zip(df.iterrows(), ids, strict=True):
        want = expected[fid]
        for f in fields:
            column = "Name" if fmt == "kml" and f == "name" else f
            column = column[:10] if fmt == "shp" else column  # dBase field names
            got = row[column]
            if fmt in {"csv", "kml", "shp"} and isinstance(want[f], datetime):
                got = datetime.fromisoformat(str(got)) if _norm(got) is not None else None
            if fmt in {"csv", "kml"} or (fmt == "shp" and isinstance(want[f], bool)):
                assert (
                    _as_text(got) in {_as_text(want[f]), str(_as_text(want[f])).lower()}
                    or (want[f] is None and _as_text(got) in {None, ""})
                    or (
                        isinstance(want[f], bool)
                        and _as_text(got) in {"1", "0", "true", "false"}
                        and (_as_text(got) in {"1", "true"}) == want[f]
                    )
                ), (fmt, fid, f, got)
            else:
                assert _norm(got) == _norm(want[f]), (fmt, fid, f, got, want[f])
        assert row.geometry.equals_exact(want["geom"], tolerance=1e-7), (fmt, fid)


@pytest.mark.parametrize("fmt", FORMATS)
def test_roads_round_trip(http: httpx.Client, tmp_path: Path, fmt: str) -> None:
    r = http.get("/export/roads", params={"format": fmt})
    assert r.status_code == 200, r.text
    path = save(r, tmp_path)
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert path.name == f"roads_CRS84_{stamp}.{'zip' if fmt == 'shp' else fmt}"
    df = read(path)
    compare(df, truth("layer_data.roads", ROAD_FIELDS), ROAD_FIELDS, fmt)
    names = set(df["Name" if fmt == "kml" else "name"].dropna())
    assert VIETNAMESE in names and "Đường" in " ".join(names)


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv", "fgb", "shp"])
def test_incidents_keep_types(http: httpx.Client, users: Users, tmp_path: Path, fmt: str) -> None:
    """Datetimes, integers and booleans of a model layer survive (text where a format has none)."""
    r = http.get("/export/incidents", params={"format": fmt}, headers=auth(users.planner))
    assert r.status_code == 200, r.text
    df = read(save(r, tmp_path))
    compare(df, truth("operations_incident", INCIDENT_FIELDS), INCIDENT_FIELDS, fmt)


def test_shapefile_zip_has_prj_and_utf8_cpg(http: httpx.Client, tmp_path: Path) -> None:
    r = http.get("/export/roads", params={"format": "shp", "crs": "5899"})
    path = save(r, tmp_path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert names == {f"roads.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")}
        assert zf.read("roads.cpg").decode().strip() == "UTF-8"
        assert (
            "VN-2000" in zf.read("roads.prj").decode() or "VN_2000" in zf.read("roads.prj").decode()
        )
    assert r.headers["content-type"] == "application/zip"


@pytest.mark.parametrize(
    ("fmt", "code"), [("gpkg", 5899), ("shp", 5899), ("fgb", 9218), ("geojson", 3405)]
)
def test_vn2000_exports_open_with_the_right_crs(
    http: httpx.Client, tmp_path: Path, fmt: str, code: int
) -> None:
    r = http.get("/export/roads", params={"format": fmt, "crs": f"EPSG:{code}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-crs"] == f"<http://www.opengis.net/def/crs/EPSG/0/{code}>"
    path = save(r, tmp_path)
    assert f"EPSG{code}" in path.name
    info = pyogrio.read_info(path)
    assert CRS(info["crs"]).equals(CRS.from_epsg(code), ignore_axis_order=True), info["crs"]
    df = read(path)
    expected = truth("layer_data.roads", ROAD_FIELDS, code)
    to_zone = Transformer.from_crs(4326, code, always_xy=True)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, ST_X(ST_StartPoint(geom)), ST_Y(ST_StartPoint(geom)) FROM layer_data.roads"
        )
        starts = {int(i): to_zone.transform(x, y) for i, x, y in cur.fetchall()}
    for fid, geom in zip(df["id"], df.geometry, strict=True):
        assert geom.coords[0] == pytest.approx(starts[int(fid)], abs=0.001)  # 1 mm, against PROJ
        assert geom.equals_exact(expected[int(fid)]["geom"], tolerance=0.001)


def test_system_gdal_sees_the_tm3_zone(http: httpx.Client, tmp_path: Path) -> None:
    """The older system GDAL (ogrinfo) names the zone of a GeoPackage and a Shapefile."""
    for fmt in ("gpkg", "shp"):
        path = save(http.get("/export/roads", params={"format": fmt, "crs": "5899"}), tmp_path)
        target = f"/vsizip/{path}/roads.shp" if fmt == "shp" else str(path)
        out = subprocess.run(
            ["ogrinfo", "-ro", "-so", target, "roads"], capture_output=True, text=True, check=True
        ).stdout
        assert "Feature Count: 2844" in out
        assert "107.75" in out and "0.9999" in out  # TM-3 107°45′, scale 0.9999
        assert "VN-2000" in out or "VN_2000" in out


def test_export_filter_and_bbox_match_items(http: httpx.Client, tmp_path: Path) -> None:
    params = {
        "filter": "highway IN ('primary', 'secondary') AND name LIKE 'Đ%'",
        "bbox": "108.40,11.90,108.48,11.98",
    }
    expected = served_ids(http, "roads", **params)
    assert expected
    r = http.get("/export/roads", params={"format": "geojson", **params})
    assert {int(i) for i in read(save(r, tmp_path))["id"]} == expected
    bad = http.get("/export/roads", params={"format": "gpkg", "filter": "name = 'x'; DROP TABLE x"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"


def test_multi_layer_geopackage_for_an_area(http: httpx.Client, tmp_path: Path) -> None:
    bbox = "108.43,11.93,108.45,11.95"
    r = http.get(
        "/export/roads,buildings,poi_tourism",
        params={"format": "gpkg", "bbox": bbox, "crs": "5899"},
    )
    assert r.status_code == 200, r.text
    path = save(r, tmp_path)
    assert path.name.startswith("roads+buildings+poi_tourism_EPSG5899_")
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"roads", "buildings", "poi_tourism"}
    for slug in layers:
        expected = served_ids(http, slug, bbox=bbox)
        got = {int(i) for i in pyogrio.read_dataframe(path, layer=slug)["id"]}
        assert got == expected, slug
        assert pyogrio.read_info(path, layer=slug)["crs"] == "EPSG:5899"


@pytest.mark.parametrize(
    ("url", "params", "status", "field"),
    [
        ("/export/roads", {"format": "xlsx"}, 400, "format"),
        ("/export/roads", {"format": "kml", "crs": "5899"}, 400, "crs"),
        ("/export/roads", {"crs": "32648"}, 400, "crs"),
        ("/export/roads,buildings", {"format": "geojson"}, 400, "format"),
        ("/export/roads", {"bbox": "1,2"}, 400, "bbox"),
        ("/export/roads", {"colour": "red"}, 400, "colour"),
        ("/export/ROADS;drop", {}, 400, "layers"),
        ("/export/nope", {}, 404, "layer"),
    ],
)
def test_bad_export_requests(
    http: httpx.Client, url: str, params: dict, status: int, field: str
) -> None:
    r = http.get(url, params=params)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field


def test_export_access_levels(http: httpx.Client, users: Users, tmp_path: Path) -> None:
    assert http.get("/export/cameras").status_code == 401
    assert http.get("/export/cameras", headers=auth(users.planner)).status_code == 403
    r = http.get("/export/cameras", params={"format": "geojson"}, headers=auth(users.admin))
    assert r.status_code == 200
    assert len(read(save(r, tmp_path))) == 60


def test_geopackage_is_version_1_2(http: httpx.Client, tmp_path: Path) -> None:
    """GeoPackage 1.2: what GDAL 3.6 and QGIS 3.22 read without 'partially supported'."""
    import sqlite3

    path = save(http.get("/export/roads", params={"format": "gpkg"}), tmp_path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
    done = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(path), "roads"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "partially supported" not in done.stderr, done.stderr


def test_csv_names_its_crs_on_every_row(http: httpx.Client, tmp_path: Path) -> None:
    r = http.get("/export/roads", params={"format": "csv", "crs": "5899"})
    df = read(save(r, tmp_path))
    assert set(df["wkt_crs"]) == {"EPSG:5899"}
    # The WKT is in VN-2000 metres, as the column says.
    first = shapely.from_wkt(pd.read_csv(save(r, tmp_path), encoding="utf-8-sig")["WKT"][0])
    assert 300_000 < first.bounds[0] < 700_000
