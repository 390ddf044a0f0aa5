"""GDAL as an independent client: its OGC API Features driver reads the live server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pyogrio
import pytest
from django.db import connection

from layers.models import Layer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL command-line tools missing"),
]


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ogrinfo_lists_the_collections(live_url: str) -> None:
    out = _run("ogrinfo", "-ro", "-q", f"OAPIF:{live_url}/ogc")
    listed = {line.split(":")[1].split("(")[0].strip() for line in out.splitlines() if ":" in line}
    public = set(Layer.objects.filter(access_level="public").values_list("slug", flat=True))
    assert listed == public
    assert "Đường giao thông" in out  # titles in Vietnamese survive


def test_ogrinfo_reads_schema_and_count(live_url: str) -> None:
    out = _run("ogrinfo", "-ro", "-so", f"OAPIF:{live_url}/ogc", "roads")
    assert "Feature Count: 2844" in out
    # Types come from the describedby JSON Schema, not a guess from the first page.
    assert "lanes: Integer" in out and "maxspeed: Integer" in out and "name: String" in out


def _truth(table: str, fields: list[str]) -> dict[int, dict]:
    cols = ", ".join(fields)
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, {cols}, ST_AsText(geom) FROM layer_data.{table}")
        return {r[0]: {**dict(zip(fields, r[1:-1], strict=True)), "wkt": r[-1]} for r in cur}


def test_ogr2ogr_downloads_a_layer_equal_to_postgis(live_url: str, tmp_path: Path) -> None:
    out = tmp_path / "roads.gpkg"
    _run(
        "ogr2ogr",
        "-f",
        "GPKG",
        "-oo",
        "PAGE_SIZE=1000",
        "-preserve_fid",
        str(out),
        f"OAPIF:{live_url}/ogc",
        "roads",
    )
    fields = ["name", "highway", "ref", "lanes", "maxspeed", "oneway", "surface", "osm_id"]
    truth = _truth("roads", fields)
    got = pyogrio.read_dataframe(out, fid_as_index=True)
    assert len(got) == len(truth) == 2844
    assert set(got.index) == set(truth)
    for fid, row in got.iterrows():
        expected = truth[int(fid)]
        for f in fields:
            value = row[f]
            value = None if value is None or value != value else value  # NaN → None
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            assert value == expected[f], (fid, f)
    # Geometries: GDAL wrote what the server sent in CRS84, within the 1e-8° it rounds to.
    import shapely

    sample = got.iloc[:200]
    for fid, geom in zip(sample.index, sample.geometry, strict=True):
        assert geom.equals_exact(shapely.from_wkt(truth[int(fid)]["wkt"]), tolerance=1e-7)


def test_gdal_filters_through_the_api(live_url: str) -> None:
    """A spatial filter becomes bbox=…, and the count matches PostGIS."""
    out = _run(
        "ogrinfo",
        "-ro",
        "-so",
        "-spat",
        "108.43",
        "11.93",
        "108.45",
        "11.95",
        f"OAPIF:{live_url}/ogc",
        "roads",
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM layer_data.roads"
            " WHERE ST_Intersects(geom, ST_MakeEnvelope(108.43, 11.93, 108.45, 11.95, 4326))"
        )
        assert f"Feature Count: {cur.fetchone()[0]}" in out


def test_recent_gdal_reads_vn2000_with_the_right_axes(live_url: str) -> None:
    """pyogrio's newer GDAL asks for a CRS (Part 2) and trusts our axis order.

    EPSG:4756 (VN-2000 geographic) is latitude-first on the wire; GDAL swaps it back.
    """
    meta = json.loads(httpx.get(f"{live_url}/ogc/collections/poi_tourism").text)
    assert "http://www.opengis.net/def/crs/EPSG/0/5899" in meta["crs"]
    for crs in ("EPSG:5899", "EPSG:4756"):
        df = pyogrio.read_dataframe(
            f"OAPIF:{live_url}/ogc", layer="poi_tourism", CRS=crs, fid_as_index=True
        )
        assert df.crs.to_epsg() == int(crs.split(":")[1])
        base = pyogrio.read_dataframe(f"OAPIF:{live_url}/ogc", layer="poi_tourism")
        projected = base.to_crs(crs)
        assert len(df) == len(base)
        tol = 0.001 if crs.endswith("5899") else 1e-7
        for a, b in zip(df.geometry, projected.geometry, strict=True):
            assert abs(a.x - b.x) < tol and abs(a.y - b.y) < tol
