"""`geo-ioc import`: every format, reprojection, repair or refusal, and all-or-nothing writes.

Files are written with geopandas/pyogrio into a temporary folder and imported into the real
PostGIS test database; each test's transaction rolls back (the import itself is a savepoint).
One test runs the real command in a subprocess, where the import's transaction is the outer one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

from layers.definitions import Domain, FieldDef, GeometryType, LayerDefinition, TableSource
from layers.errors import ImportRejected
from layers.ingest import load_frame
from layers.models import Layer
from tests.conftest import ROOT, VN2000_LAYER, database_url

pytestmark = pytest.mark.django_db
SCHEMA = settings.GEO_IOC_LAYER_SCHEMA
# Real places in Đà Lạt (lon, lat).
PLACES = {
    "Chợ Đà Lạt": (108.4370, 11.9430),
    "Hồ Xuân Hương": (108.4440, 11.9405),
    "Ga Đà Lạt": (108.4550, 11.9420),
}


def points_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": list(PLACES), "visitors": [1200, 800, 300], "open": [True, True, False]},
        geometry=[Point(xy) for xy in PLACES.values()],
        crs=4326,
    )


def rows(slug: str) -> list[tuple[object, ...]]:
    """Every row of a layer table with its geometry as WKT, straight from PostGIS."""
    query = sql.SQL("SELECT *, ST_AsText(geom) FROM {} ORDER BY id").format(
        sql.Identifier(SCHEMA, slug)
    )
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        return cur.fetchall()


def wkt_by_name(slug: str) -> dict[str, str]:
    query = sql.SQL("SELECT name, ST_AsText(geom) FROM {}").format(sql.Identifier(SCHEMA, slug))
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        return dict(cur.fetchall())


def table_exists(slug: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{SCHEMA}.{slug}"])
        return bool(cur.fetchone()[0])


def run_import(path: Path, slug: str, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_layer", str(path), "--layer", slug, "--no-progress", *args, stdout=out)
    return out.getvalue()


def write(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a frame in the format its extension names (zip = zipped Shapefile)."""
    if path.suffix == ".zip":
        shp = path.with_suffix(".shp")
        frame.to_file(shp, engine="pyogrio")
        with zipfile.ZipFile(path, "w") as archive:
            for part in path.parent.glob(f"{shp.stem}.*"):
                if part.suffix != ".zip":
                    archive.write(part, part.name)
    elif path.suffix == ".csv":
        plain = frame.assign(lon=frame.geometry.x, lat=frame.geometry.y).drop(columns="geometry")
        plain.to_csv(path, index=False)
    else:
        frame.to_file(path, engine="pyogrio")
    return path


@pytest.mark.parametrize("ext", [".gpkg", ".zip", ".geojson", ".fgb", ".csv"])
def test_each_format_imports_points_and_attributes(tmp_path: Path, ext: str) -> None:
    slug = f"places_{ext.strip('.')}"
    path = write(points_frame(), tmp_path / f"places{ext}")
    output = run_import(path, slug)
    assert "3 of 3 features" in output
    layer = Layer.objects.get(slug=slug)
    assert layer.feature_count == 3
    assert layer.geometry_type == "Point"
    assert {f["name"] for f in layer.fields} >= {"name", "visitors"}
    assert wkt_by_name(slug) == {name: f"POINT({lon} {lat})" for name, (lon, lat) in PLACES.items()}
    assert layer.extent == pytest.approx([108.437, 11.9405, 108.455, 11.943])


def test_shapefile_types_survive(tmp_path: Path) -> None:
    run_import(write(points_frame(), tmp_path / "p.zip"), "typed")
    types = {f["name"]: f["type"] for f in Layer.objects.get(slug="typed").fields}
    assert types["visitors"] == "integer"
    assert types["name"] == "string"


def test_vn2000_file_is_reprojected_to_wgs84(tmp_path: Path) -> None:
    """A land office's file in VN-2000 / TM-3 107°45′ (EPSG:5899) lands on the right spot.

    The expected WGS 84 positions come from PostGIS's own ST_Transform of the VN-2000
    coordinates, an implementation independent of the importer's pyproj path.
    """
    to_vn2000 = Transformer.from_crs(4326, 5899, always_xy=True)
    xy = [to_vn2000.transform(lon, lat) for lon, lat in PLACES.values()]
    frame = gpd.GeoDataFrame({"name": list(PLACES)}, geometry=[Point(p) for p in xy], crs=5899)
    output = run_import(write(frame, tmp_path / "vn2000.gpkg"), "vn2000_points")
    assert "EPSG:5899" in output
    with connection.cursor() as cur:
        for name, (x, y) in zip(PLACES, xy, strict=True):
            cur.execute(
                sql.SQL(
                    "SELECT ST_Distance(geom::geography,"
                    " ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 5899), 4326)::geography)"
                    " FROM {} WHERE name = %s"
                )
                .format(sql.Identifier(SCHEMA, "vn2000_points"))
                .as_string(cur.connection),
                [x, y, name],
            )
            assert cur.fetchone()[0] < 1.0  # metres


def test_csv_in_vn2000_with_named_columns(tmp_path: Path) -> None:
    to_vn2000 = Transformer.from_crs(4326, 5899, always_xy=True)
    path = tmp_path / "toado.csv"
    lines = ["ten,dong,bac"]
    for name, (lon, lat) in PLACES.items():
        e, n = to_vn2000.transform(lon, lat)
        lines.append(f"{name},{e:.3f},{n:.3f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_import(path, "toado", "--lon", "dong", "--lat", "bac", "--srid", "5899")
    assert Layer.objects.get(slug="toado").extent == pytest.approx(
        [108.437, 11.9405, 108.455, 11.943], abs=2e-5
    )


def test_bad_csv_row_refuses_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,lon,lat\nA,108.43,11.94\nB,abc,11.95\nC,108.44,95\n", encoding="utf-8")
    report = tmp_path / "refused.csv"
    with pytest.raises(CommandError, match="2 row"):
        run_import(path, "bad_csv", "--report", str(report))
    assert not Layer.objects.filter(slug="bad_csv").exists()
    assert not table_exists("bad_csv")
    text = report.read_text(encoding="utf-8")
    assert "2,longitude 'abc' is not a number" in text
    assert "3,latitude 95 is outside" in text


def test_bad_attribute_row_rolls_back_replace(tmp_path: Path) -> None:
    """A replace whose file has one bad row leaves the old rows and catalogue untouched."""
    run_import(write(points_frame(), tmp_path / "ok.geojson"), "replaced")
    before = rows("replaced")
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "X"},'
        ' "geometry": {"type": "Point", "coordinates": [108.44, 11.94]}},'
        '{"type": "Feature", "properties": {"name": "Y"}, "geometry": null}]}',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="1 row"):
        run_import(bad, "replaced", "--mode", "replace")
    assert rows("replaced") == before
    assert Layer.objects.get(slug="replaced").feature_count == 3


def bowtie_frame() -> gpd.GeoDataFrame:
    # A self-intersecting "bow-tie" parcel next to a valid square, near Hồ Xuân Hương.
    x, y = 108.44, 11.94
    bowtie = Polygon([(x, y), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y + 0.01), (x, y)])
    square = Polygon([(x, y), (x + 0.005, y), (x + 0.005, y + 0.005), (x, y + 0.005)])
    return gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[square, bowtie], crs=4326)


def test_invalid_polygon_is_repaired(tmp_path: Path) -> None:
    output = run_import(write(bowtie_frame(), tmp_path / "bowtie.gpkg"), "parcels_test")
    assert "repaired 1 invalid geometries (rows 2)" in output
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL(
                "SELECT code, ST_IsValid(geom), GeometryType(geom), ST_NumGeometries(geom)"
                " FROM {} ORDER BY code"
            )
            .format(sql.Identifier(SCHEMA, "parcels_test"))
            .as_string(cur.connection)
        )
        assert cur.fetchall() == [("A", True, "MULTIPOLYGON", 1), ("B", True, "MULTIPOLYGON", 2)]


def test_repair_that_splits_is_refused_by_a_single_polygon_layer() -> None:
    defn = LayerDefinition(
        slug="single_parcels",
        title_vi="Thửa",
        title_en="Parcels",
        domain=Domain.LAND,
        geometry_type=GeometryType.POLYGON,
        source=TableSource(table="single_parcels"),
        fields=[FieldDef(name="code")],
    )
    with pytest.raises(ImportRejected, match="row 2: invalid geometry repaired into 2 parts"):
        load_frame(bowtie_frame(), defn)
    assert not table_exists("single_parcels")


def test_invalid_polygon_rejected_on_request(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="1 row"):
        run_import(write(bowtie_frame(), tmp_path / "b.gpkg"), "strict", "--invalid", "reject")
    assert not table_exists("strict")
    assert not Layer.objects.filter(slug="strict").exists()


def test_create_refuses_existing_layer_and_append_adds(tmp_path: Path) -> None:
    path = write(points_frame(), tmp_path / "p.fgb")
    run_import(path, "twice")
    with pytest.raises(CommandError, match="exists already"):
        run_import(path, "twice")
    run_import(path, "twice", "--mode", "append")
    assert Layer.objects.get(slug="twice").feature_count == 6


def test_append_refuses_unknown_columns(tmp_path: Path) -> None:
    run_import(write(points_frame(), tmp_path / "p.geojson"), "strict_fields")
    wider = points_frame().assign(extra=1)
    with pytest.raises(CommandError, match="extra"):
        run_import(write(wider, tmp_path / "w.geojson"), "strict_fields", "--mode", "append")
    assert Layer.objects.get(slug="strict_fields").feature_count == 3


def test_lines_mixed_with_multilines_become_multi(tmp_path: Path) -> None:
    from shapely.geometry import MultiLineString

    frame = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[
            LineString([(108.43, 11.94), (108.44, 11.95)]),
            MultiLineString([[(108.45, 11.94), (108.46, 11.95)], [(108.47, 11.9), (108.48, 11.9)]]),
        ],
        crs=4326,
    )
    run_import(write(frame, tmp_path / "lines.geojson"), "mixed_lines")
    assert Layer.objects.get(slug="mixed_lines").geometry_type == "MultiLineString"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.txt", "hello", "Unsupported file type"),
        ("x.csv", "a,b\n1,2\n", "no longitude column"),
        ("x.geojson", "{not json", "Cannot read"),
        ("x.zip", "not a zip", "not a valid zip"),
    ],
)
def test_unreadable_input_is_a_clear_error(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run_import(path, "nothing")
    assert not Layer.objects.filter(slug="nothing").exists()


def test_model_layer_cannot_be_overwritten(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="backed by a model"):
        run_import(write(points_frame(), tmp_path / "p.geojson"), "cameras", "--mode", "replace")


def geo_ioc(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the `geo-ioc` command against the test database in its own process."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-m", "geo_ioc.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_imports_with_progress_and_lists_layer(tmp_path: Path) -> None:
    """The real command in its own process: a committed import, a progress bar, `layers`."""
    n = 6000
    frame = gpd.GeoDataFrame(
        {"n": range(n)},
        geometry=gpd.points_from_xy([108.40 + i * 1e-5 for i in range(n)], [11.94] * n),
        crs=4326,
    )
    path = write(frame, tmp_path / "many.fgb")
    try:
        done = geo_ioc("import", str(path), "--layer", "cli_many", "--domain", "environment")
        assert done.returncode == 0, done.stderr
        assert "6000 of 6000 features" in done.stdout
        assert "copy:" in done.stderr and "6000/6000" in done.stderr  # the progress bar
        listed = geo_ioc("layers").stdout
        line = next(x for x in listed.splitlines() if x.startswith("cli_many "))
        assert line.split()[1:5] == ["environment", "Point", "staff", "6000"]
        again = geo_ioc("import", str(path), "--layer", "cli_many")
        assert again.returncode != 0
        assert "exists already" in again.stderr
    finally:
        cleanup = (
            "from layers.models import Layer; from layers import tables; "
            "from django.db import connection; "
            f"tables.run(connection, [tables.drop_table_sql('{SCHEMA}', 'cli_many')]); "
            "Layer.objects.filter(slug='cli_many').delete()"
        )
        assert geo_ioc("shell", "-c", cleanup).returncode == 0


def test_session_vn2000_layer_lands_on_the_source_boundaries() -> None:
    """The VN-2000 import of the session matches the original WGS 84 boundaries to the metre."""
    source = Path(settings.GEO_IOC_DATA_DIR) / "dalat" / "lamdong_admin_districts_gov.gpkg"
    original = gpd.read_file(source).to_crs(4326)
    imported = Layer.objects.get(slug=VN2000_LAYER)
    assert imported.feature_count == len(original)
    with connection.cursor() as cur:
        for geom in original.geometry:
            cur.execute(
                sql.SQL(
                    "SELECT min(ST_HausdorffDistance(ST_Transform(geom, 5899),"
                    " ST_Transform(ST_GeomFromText(%s, 4326), 5899))) FROM {}"
                )
                .format(sql.Identifier(SCHEMA, VN2000_LAYER))
                .as_string(cur.connection),
                [geom.wkt],
            )
            assert cur.fetchone()[0] < 1.0  # metres
