"""GDAL pushes attribute filters down: Debian's GDAL 3.6 (ogr2ogr) and pyogrio's newer GDAL.

Before, both read the whole layer and filtered on the client (GDAL 3.6: 286 pages of 10 for the
78 primary roads). The server log shows what each client sends now.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyogrio
import pytest

from tests.clients.serverlog import ServerLog, query
from tests.ogc.helpers import sql_ids

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="GDAL command-line tools missing"),
]
WHERE = "highway = 'primary' AND lanes >= 2"
TRUTH_SQL = "SELECT id FROM layer_data.roads WHERE highway = 'primary' AND lanes >= 2"


def _assert_pushed(log: ServerLog, truth: set[int], page: int) -> list[str]:
    items = log.targets("/ogc/collections/roads/items")
    filtered = [t for t in items if "filter" in query(t)]
    assert filtered, items  # the filter arrived
    for target in filtered:
        params = query(target)
        assert params["filter-lang"] in {"cql-text", "cql2-text"}
        assert "highway" in params["filter"] and "lanes" in params["filter"]
    # One page per `page` matches (and the first probe of the schema): not the whole layer.
    assert len(items) <= 1 + -(-len(truth) // page), items
    return items


def test_gdal_36_ogr2ogr_sends_the_where_clause(live_url: str, tmp_path: Path) -> None:
    truth = sql_ids(TRUTH_SQL)
    assert 10 < len(truth) < 200
    out = tmp_path / "primary.gpkg"
    with ServerLog(live_url) as log:
        done = subprocess.run(
            [
                "ogr2ogr",
                "-f",
                "GPKG",
                "-preserve_fid",
                "-where",
                WHERE,
                str(out),
                f"OAPIF:{live_url}/ogc",
                "roads",
                "--debug",
                "on",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert "evaluated on client side" not in done.stderr
    _assert_pushed(log, truth, page=10)
    got = pyogrio.read_dataframe(out, fid_as_index=True)
    assert set(got.index) == truth


def test_pyogrio_gdal_sends_the_where_clause(live_url: str) -> None:
    truth = sql_ids(TRUTH_SQL)
    with ServerLog(live_url) as log:
        df = pyogrio.read_dataframe(
            f"OAPIF:{live_url}/ogc", layer="roads", where=WHERE, fid_as_index=True
        )
    items = _assert_pushed(log, truth, page=1000)
    assert len([t for t in items if "filter" in query(t)]) == 1  # one page holds them all
    assert set(df.index) == truth  # GDAL takes the feature ids from the server
