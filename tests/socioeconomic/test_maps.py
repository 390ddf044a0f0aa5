"""Indicator maps: tiles of the catalogue decoded against SQL, breaks and legend from the server."""

from __future__ import annotations

import json
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


def _matrix(code: str) -> tuple[list[str], np.ndarray, list[str]]:
    """Period columns, units × periods values, unit codes of an indicator's map table."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM socioeconomic_maps.ind_{code} ORDER BY code")
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
    cols = [n for n in names if n.startswith("v_") and n.count("_") == 1]
    idx = [names.index(c) for c in cols]
    codes = [r[names.index("code")] for r in rows]
    return cols, np.array([[r[i] for i in idx] for r in rows], dtype=float), codes


def test_comparison_of_two_periods_has_a_diverging_scale(
    http: httpx.Client, served_maps: list[str]
) -> None:
    """The fill's metadata gives ± stops centred on 0 and a diverging ramp (no new tile)."""
    style = http.get("/styles/economy.json", params={"layers": "ind_retail_sales"}).json()
    # The server draws a style layer per class (for QGIS); each carries the parameters.
    fills = [
        x
        for x in style["layers"]
        if x.get("source-layer") == "ind_retail_sales" and x["type"] == "fill"
    ]
    assert len({json.dumps(f["metadata"]["geo-ioc:compare"]) for f in fills}) == 1
    fill = fills[0]
    comp = fill["metadata"]["geo-ioc:compare"]
    cols, matrix, _ = _matrix("retail_sales")
    assert len(cols) == 36
    # % change of each month against the same month a year before, from the table by hand.
    a, b = matrix[:, :-12], matrix[:, 12:]
    pct = ((b - a) / np.abs(a) * 100).ravel()
    q1, q2 = np.quantile(np.abs(pct), [1 / 3, 2 / 3])
    stops = comp["pct"]["stops"]
    assert stops == [-stops[4], -stops[3], 0.0, stops[3], stops[4]]
    assert stops[3] == pytest.approx(q1, rel=5e-3) and stops[4] == pytest.approx(q2, rel=5e-3)
    assert comp["pct"]["colours"] == maps.DIVERGING  # higher is better: a rise is blue
    # Each side of 0 holds about a third of the changes' magnitudes per class.
    counts = np.histogram(pct, bins=[-np.inf, *stops, np.inf])[0]
    assert abs((counts[0] + counts[5]) / len(pct) - 1 / 3) < 0.03
    absolute = (b - a).ravel()
    assert comp["abs"]["stops"][4] == pytest.approx(np.quantile(np.abs(absolute), 2 / 3), rel=5e-3)
    # Lower is better: the ramp turns round (a fall is blue).
    assert maps.compare(matrix, higher_is_better=False)["pct"]["colours"] == maps.DIVERGING[::-1]


def test_count_indicator_has_proportional_symbols_at_label_points(
    http: httpx.Client, served_maps: list[str]
) -> None:
    slug = "ind_jobs_created_sym"
    x, y = _tile_of(108.44, 11.94, 9)
    answer = http.get(f"/tiles/{slug}/9/{x}/{y}.mvt")
    assert answer.status_code == 200
    features = mapbox_vector_tile.decode(answer.content)[slug]["features"]
    truth = _truth("jobs_created", LAST.key)
    assert {"68.XH", "68.LB"} <= {f["properties"]["code"] for f in features}
    for f in features:
        assert f["geometry"]["type"] == "Point"
        assert f["properties"][f"v_{LAST.key}"] == pytest.approx(truth[f["properties"]["code"]])
    # Each point lies inside its unit (a point on the surface, not a centroid outside it).
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE ST_Within(s.geom, u.geom))"
            " FROM socioeconomic_maps.ind_jobs_created_sym s"
            " JOIN socioeconomic_adminunit u ON u.id = s.id"
        )
        total, inside = cur.fetchone()
    assert total == 38 and inside == total
    style = http.get("/styles/economy.json", params={"layers": slug}).json()
    (circle,) = [x for x in style["layers"] if x.get("source-layer") == slug]
    radius = circle["paint"]["circle-radius"]
    assert circle["type"] == "circle" and radius[2] == [
        "sqrt",
        ["max", ["get", f"v_{LAST.key}"], 0],
    ]
    top = float(np.nanmax(values_of("jobs_created")))
    assert radius[-2] == pytest.approx(math.sqrt(top)) and radius[-1] == maps.SYMBOL_MAX_RADIUS
    # A flow in money is no count: no symbols.
    assert http.get(f"/tiles/ind_retail_sales_sym/9/{x}/{y}.mvt").status_code == 404
