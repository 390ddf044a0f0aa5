"""Indicator maps: tiles of the catalogue decoded against SQL, breaks and legend from the server."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx
import mapbox_vector_tile
import numpy as np
import pytest
from django.db import connection

from geo_ioc.socioeconomic import maps
from geo_ioc.socioeconomic.periods import month, shift
from tests.socioeconomic.conftest import TODAY

LAST = month(TODAY).previous()

pytestmark = pytest.mark.django_db


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


@pytest.fixture(scope="module")
def served_maps(http: httpx.Client, se_maps: list[str]) -> list[str]:
    """The maps once the live server knows them all.

    The fixture registers them in this process; the server (another process) hears of each
    new catalogue entry through its listener a moment later. Had it read its catalogue before
    (any earlier test's tile), a request sent at once may find the last map not yet known.
    """
    deadline = time.monotonic() + 35  # past the catalogue's lifetime, its own backstop
    x, y = _tile_of(108.44, 11.94, 9)
    while http.get(f"/tiles/{','.join(se_maps)}/9/{x}/{y}.mvt").status_code == 404:
        assert time.monotonic() < deadline, "the live server never learnt the indicator maps"
        time.sleep(0.1)
    return se_maps


def _truth(code: str, period: str, dis: str = "") -> dict[str, float]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT u.code, v.value FROM socioeconomic_value v"
            " JOIN socioeconomic_indicator i ON i.id = v.indicator_id"
            " JOIN socioeconomic_adminunit u ON u.id = v.unit_id"
            " WHERE i.code = %s AND v.period = to_date(%s, 'YYYYMM') AND v.disaggregation = %s",
            [code, period, dis],
        )
        return {c: float(v) for c, v in cur.fetchall()}


def test_choropleth_tile_carries_every_period(http: httpx.Client, served_maps: list[str]) -> None:
    x, y = _tile_of(108.44, 11.94, 9)  # Đà Lạt and its neighbours
    answer = http.get(f"/tiles/ind_retail_sales,ind_jobs_created/9/{x}/{y}.mvt")
    assert answer.status_code == 200
    decoded = mapbox_vector_tile.decode(answer.content)
    features = decoded["ind_retail_sales"]["features"]
    assert {"68.XH", "68.LB"} <= {f["properties"]["code"] for f in features}
    for period in (LAST.key, shift(LAST, -11).key):
        truth = _truth("retail_sales", period)
        for f in features:
            props = f["properties"]
            assert props[f"v_{period}"] == pytest.approx(truth[props["code"]])
    female = _truth("jobs_created", LAST.key, "sex:female")
    for f in decoded["ind_jobs_created"]["features"]:
        props = f["properties"]
        assert props[f"v_{LAST.key}_sex_female"] == pytest.approx(female[props["code"]])


def test_breaks_and_legend_come_from_the_server(http: httpx.Client, served_maps: list[str]) -> None:
    style = http.get(
        "/styles/economy.json", params={"layers": "ind_fdi_registered,ind_retail_sales"}
    ).json()
    stops = class_stops(style, "ind_retail_sales", f"v_{LAST.key}")
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM socioeconomic_maps.ind_retail_sales LIMIT 0")
        cols = [d.name for d in cur.description if d.name.startswith("v_")]
        cur.execute(f"SELECT {', '.join(cols)} FROM socioeconomic_maps.ind_retail_sales")
        values = np.array([v for r in cur.fetchall() for v in r], dtype=float)
    # Quintiles of the whole series: each class holds about a fifth of the values.
    counts = np.histogram(values, bins=[-np.inf, *stops, np.inf])[0]
    assert len(stops) == 4 and all(abs(c / len(values) - 0.2) < 0.03 for c in counts)
    # Natural breaks of a skewed count differ from its quintiles.
    jenks = class_stops(style, "ind_fdi_registered", f"v_{LAST.key}")
    assert jenks == maps.breaks(values_of("fdi_registered"), "jenks")
    assert jenks != maps.breaks(values_of("fdi_registered"), "quantile")
    (entry,) = [e for e in style["metadata"]["geo-ioc:legend"] if e["layer"] == "ind_retail_sales"]
    labels = [row["label"] for row in entry["rows"]]
    assert labels == [f"< {stops[0]}"] + [f"≥ {s}" for s in stops]


def class_stops(style: dict[str, Any], slug: str, column: str) -> list[float]:
    """The class breaks of a choropleth: its `step` stops, or the thresholds of the filters
    when the server draws one style layer per class (for clients without `step`)."""
    fills = [x for x in style["layers"] if x.get("source-layer") == slug and x["type"] == "fill"]
    colour = fills[0]["paint"]["fill-color"]
    if len(fills) == 1 and isinstance(colour, list) and colour[0] == "step":
        assert colour[1] == ["get", column]
        return list(colour[3::2])
    found: set[float] = set()
    for layer in fills:
        assert isinstance(layer["paint"]["fill-color"], str)
        for cond in layer["filter"][1:]:
            if cond[0] in (">=", "<") and cond[1] == ["get", column]:
                found.add(cond[2])
    assert len(fills) == len(found) + 1  # one layer per class
    return sorted(found)


def values_of(code: str) -> np.ndarray:
    """Every total value of an indicator, as its map table holds them."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM socioeconomic_maps.ind_{code}")
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
    idx = [i for i, n in enumerate(names) if n.startswith("v_")]
    return np.array([r[i] for r in rows for i in idx], dtype=float)
