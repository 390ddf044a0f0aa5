"""The environment screen of the demo wall: the air stations ranked by VN_AQI beside the map.

In a module of its own: the other wall tests keep four software-rendered maps open meanwhile.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from geo_ioc.walls.layout import load
from tests.browser.conftest import WAIT_MS, Login, log_in, open_page
from tests.browser.test_wall import SCREEN, WALL_READY

pytestmark = pytest.mark.browser


def test_environment_screen_ranks_the_air_stations(
    operator_login: Login, browser: Browser, server_url: str, http: httpx.Client, artifacts: Path
) -> None:
    bp, close = open_page(browser, server_url, viewport=SCREEN)
    try:
        log_in(bp, operator_login, "/wall/main?screen=8")
        page = bp.page
        page.wait_for_function(WALL_READY, timeout=WAIT_MS)
        stations = http.get("/sensors/stations").json()["features"]
        air = [f for f in stations if f["properties"]["kind"] == "air"]
        page.wait_for_function(
            "(n) => document.querySelectorAll('.wall-side .station-list li').length === n",
            arg=len(air),
        )
        # Ranked worst first; a stale station (no AQI worth showing) goes last.
        ranked = page.eval_on_selector_all(
            ".wall-side .station-list li", "(items) => items.map((li) => li.dataset.station)"
        )
        live = {f["properties"]["code"]: f["properties"] for f in air}
        values = [
            -1 if live[c]["stale"] or live[c]["aqi"] is None else live[c]["aqi"] for c in ranked
        ]
        assert values == sorted(values, reverse=True)
        # The view does not follow the console: it keeps the centre of its layout.
        wall = load().walls["main"]
        view = next(v for v in wall.views if 8 in v.screens)
        assert view.center is not None
        centre = page.evaluate("() => window.geoIocMap.getCenter().toArray()")
        assert abs(centre[0] - view.center[0]) < 1e-6 and abs(centre[1] - view.center[1]) < 1e-6
        page.screenshot(path=str(artifacts / "wall-screen8.png"))
        assert bp.problems.all() == [], bp.problems.all()
    finally:
        close()
