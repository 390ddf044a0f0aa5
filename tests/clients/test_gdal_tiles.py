"""Vector tiles in GDAL without options: the OGCAPI driver (WorldCRS84Quad) and the MVT driver.

Debian's GDAL 3.6 was built without the OGCAPI driver's vector-tile support (OSGeo/gdal#7993, fixed
in 3.7): it reads the tiles through the MVT driver, a zoom level as a directory.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings

import pyogrio
import pytest
import shapely
from django.db import connection

from tests.clients.serverlog import ServerLog

pytestmark = pytest.mark.django_db


def _roads_extent() -> tuple[float, float, float, float]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)"
            " FROM (SELECT ST_Extent(geom) e FROM layer_data.roads) s"
        )
        return tuple(float(v) for v in cur.fetchone())  # type: ignore[return-value]


def test_pyogrio_gdal_opens_the_collection_tiles(live_url: str) -> None:
    url = f"OGCAPI:{live_url}/ogc/collections/roads"
    layers = [name for name, _ in pyogrio.list_layers(url)]
    assert "Zoom level 12" in layers and "Zoom level 18" in layers
    with ServerLog(live_url) as log, warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning per empty tile either
        df = pyogrio.read_dataframe(url, layer="Zoom level 12")
    assert log.targets("/tiles/WorldCRS84Quad/12/")
    assert len(df) > 1000 and {"name", "highway", "lanes"} <= set(df.columns)
    # Degrees, on top of the roads in PostGIS.
    minx, miny, maxx, maxy = _roads_extent()
    bounds = df.total_bounds
    assert bounds[0] == pytest.approx(minx, abs=1e-3) and bounds[3] == pytest.approx(maxy, abs=1e-3)
    primary = df[df["highway"] == "primary"]
    assert (
        not primary.empty and primary.geometry.intersects(shapely.box(minx, miny, maxx, maxy)).all()
    )


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL command-line tools missing")
def test_gdal_36_reads_a_zoom_level_with_the_mvt_driver(live_url: str) -> None:
    with ServerLog(live_url) as log:
        done = subprocess.run(
            ["ogrinfo", "-ro", "-so", "-al", f"MVT:{live_url}/tiles/roads/13"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    count = int(done.stdout.split("Feature Count: ")[1].split()[0])
    assert count > 2844  # every road, some cut in pieces by the tile edges
    assert "lanes: Integer" in done.stdout or "lanes: Real" in done.stdout  # from metadata.json
    assert log.targets("/tiles/roads/metadata.json")
    assert all(t.endswith(".pbf") for t in log.targets("/tiles/roads/13/"))


def test_pyogrio_mvt_driver_reads_without_warnings(live_url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = pyogrio.read_dataframe(f"MVT:{live_url}/tiles/poi_tourism/13")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM layer_data.poi_tourism")
        assert len(df) == cur.fetchone()[0]
