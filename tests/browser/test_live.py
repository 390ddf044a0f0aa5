"""The open map hears live events: a reading posted to the API recolours its station in place."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.browser.conftest import WAIT_MS, BrowserPage
from tests.conftest import Users

pytestmark = pytest.mark.browser


def test_station_update_reaches_the_open_page(
    users: Users, http: httpx.Client, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    page.goto(f"{browser_page.url}/", wait_until="load")
    # Subscribed: the server answered with the sequence number to follow from.
    page.wait_for_function("() => window.geoIocLive && window.geoIocLive.lastSeq !== null")
    now = datetime.now(UTC).isoformat()  # to the microsecond: no other reading has it
    reading = {"station": "AQ-04", "time": now, "pollutant": "pm25", "value": 180.0}
    r = http.post(
        "/sensors/readings", json=[reading], headers={"Authorization": f"Token {users.operator}"}
    )
    assert r.status_code == 200 and r.json()["inserted"] == 1, r.text
    page.wait_for_function(
        "() => (window.geoIocLive.byLayer.env_stations || 0) >= 1", timeout=WAIT_MS
    )
    # The layer's tiles are refetched under a new URL (the source reloads asynchronously).
    page.wait_for_function(
        "() => window.geoIocMap.getSource('env_stations').tiles[0].includes('?v=')",
        timeout=WAIT_MS,
    )
    assert not browser_page.problems.all(), browser_page.problems.all()
