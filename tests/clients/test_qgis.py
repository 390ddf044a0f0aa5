"""QGIS 3.22 (Debian's PyQGIS, headless) against the live server, in one QGIS start-up.

Every published style converts; the land-use fills render in their colours (with scalar `match`
labels, as the styles were before, QGIS 3.22 draws them all in the fallback grey); the OAPIF
provider asks for the view extent only when told to ("only request features overlapping the view
extent"). QGIS 3.22 evaluates attribute filters (subset strings) on the client: it sends none.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.clients.serverlog import ServerLog, query
from tiles.styles import style_names

pytestmark = pytest.mark.django_db
DEBIAN_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("qgis_checks.py")
# The view: around Hồ Xuân Hương in EPSG:3857, ±1.2 km; the OAPIF read: a box of roads.
CENTRE_3857 = (12071500.0, 1338700.0)
HALF_M = 1200.0
BBOX = (108.43, 11.93, 108.45, 11.95)


def _has_pyqgis() -> bool:
    if not os.path.exists(DEBIAN_PYTHON):
        return False
    probe = subprocess.run(
        [DEBIAN_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False, timeout=60
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def qgis(live_url: str, artifacts: Path) -> tuple[dict[str, Any], ServerLog]:
    if not _has_pyqgis():
        pytest.skip("Debian's python3-qgis is not installed")
    args = [
        DEBIAN_PYTHON,
        str(SCRIPT),
        live_url,
        str(artifacts),
        ",".join(style_names()),
        *(str(v) for v in (*CENTRE_3857, HALF_M, *BBOX)),
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(artifacts)}
    env.pop("PYTHONPATH", None)
    with ServerLog(live_url) as log:
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), log


def test_every_published_style_converts(qgis: tuple[dict[str, Any], ServerLog]) -> None:
    report, _ = qgis
    assert set(report["styles"]) == set(style_names()) and "transport" in report["styles"]
    for name, result in report["styles"].items():
        assert result["renderer_styles"] > 0, name
        # Only fonts QGIS does not have installed; no expression it could not read.
        assert all("font" in w.lower() for w in result["warnings"]), (name, result["warnings"])


def _blend(hex_colour: str, opacity: float) -> tuple[int, int, int]:
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(c * opacity + 255 * (1 - opacity)) for c in rgb)  # type: ignore[return-value]


def _near(found: list[list[int]], rgb: tuple[int, int, int], at_least: int) -> bool:
    return any(
        all(abs(a - b) <= 3 for a, b in zip(row[:3], rgb, strict=True)) and row[3] >= at_least
        for row in found
    )


def _largest_codes_in_view(n: int) -> list[str]:
    cx, cy = CENTRE_3857
    with connection.cursor() as cur:
        cur.execute(
            "SELECT code FROM layer_data.land_use"
            " WHERE ST_Intersects(geom, ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 3857), 4326))"
            " GROUP BY code ORDER BY sum(ST_Area(ST_Intersection(geom, ST_Transform("
            "ST_MakeEnvelope(%s, %s, %s, %s, 3857), 4326))::geography)) DESC LIMIT %s",
            [cx - HALF_M, cy - HALF_M, cx + HALF_M, cy + HALF_M] * 2 + [n],
        )
        return [r[0] for r in cur.fetchall()]


def test_land_use_renders_in_its_colours(qgis: tuple[dict[str, Any], ServerLog]) -> None:
    report, _ = qgis
    paint = report["land_use"]["paint"]
    match, opacity = paint["fill-color"], paint["fill-opacity"]
    palette = {
        label: colour
        for labels, colour in zip(match[2:-1:2], match[3:-1:2], strict=True)
        for label in labels
    }
    fallback = _blend(match[-1], opacity)
    codes = [c for c in _largest_codes_in_view(4) if c in palette][:3]
    assert len(codes) == 3
    arrays, scalars = report["land_use"]["arrays"], report["land_use"]["scalars"]
    for code in codes:
        assert _near(arrays, _blend(palette[code], opacity), 200), (code, arrays[:10])
        assert not _near(scalars, _blend(palette[code], opacity), 1), code
    # Before: one flat grey, the fallback of every `match`.
    assert _near(scalars[:1], fallback, 32768 // 2)


def test_oapif_asks_for_the_view_extent(qgis: tuple[dict[str, Any], ServerLog]) -> None:
    report, log = qgis
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM layer_data.roads"
            " WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
            list(BBOX),
        )
        truth = cur.fetchone()[0]
    assert report["oapif"]["restricted"] == report["oapif"]["unrestricted"] == truth
    marks = [i for i, (_, t, _) in enumerate(log.seen) if t.startswith("/healthz?mark=qgis-")]
    restricted, unrestricted = log.seen[marks[0] : marks[1]], log.seen[marks[1] : marks[2]]
    pages = [t for _, t, _ in restricted if "/roads/items" in t and "bbox" in query(t)]
    assert len(pages) == 1 and query(pages[0])["bbox"].startswith("108.43")
    full = [t for _, t, _ in unrestricted if "/roads/items" in t and "bbox" not in query(t)]
    assert len(full) >= 3  # the whole layer, a page of 1000 at a time
