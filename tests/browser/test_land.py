"""The land panel in headless Chromium: search by number, click to identify, overlay report."""

from __future__ import annotations

import pytest

from tests.browser.conftest import WAIT_MS, BrowserPage
from tests.land.conftest import KnownParcel, known_parcels  # noqa: F401  (session fixture)

pytestmark = pytest.mark.browser

WAIT_IDLE = """() => new Promise((resolve) => {
    const map = window.geoIocMap;
    map.once('idle', () => resolve(true));
    map.triggerRepaint();
})"""


def test_search_click_and_overlay_report(
    known_parcels: list[KnownParcel],  # noqa: F811
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    target, other = known_parcels[0], known_parcels[1]
    page.goto(f"{browser_page.url}/#17/{other.lat}/{other.lon}", wait_until="load")
    page.wait_for_function("() => window.geoIocLand && window.geoIocMap.loaded()", timeout=WAIT_MS)
    page.evaluate(WAIT_IDLE)

    # Search by ward / sheet / parcel (the dock's parcel tab): the report shows the parcel and
    # the plan overlay.
    page.click('[data-tab="land"]')
    page.fill('input[data-land="ward"]', target.ward)
    page.fill('input[data-land="sheet"]', str(target.sheet))
    page.fill('input[data-land="parcel"]', str(target.number))
    page.click(".land-search button")
    report = page.locator(f'.land-report[data-parcel="{target.id}"]')
    report.wait_for()
    assert report.locator("h3").text_content() == f"{target.ward}/{target.sheet}/{target.number}"
    assert "EPSG:5899" in report.inner_text()
    assert report.locator(".land-zones li").count() >= 1
    assert page.locator("[data-conflict]").get_attribute("data-conflict") in {"true", "false"}
    # Anonymous: asking for the holder says it is for land officers only.
    page.click(".land-holder")
    page.locator(".land-report .land-hint").wait_for()

    # Click-to-identify: the map centred on another parcel, a click in the middle selects it.
    page.evaluate(
        "([lon, lat]) => window.geoIocMap.jumpTo({ center: [lon, lat], zoom: 18 })",
        [other.lon, other.lat],
    )
    page.evaluate(WAIT_IDLE)
    box = page.locator("#map canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(f'.land-report[data-parcel="{other.id}"]').wait_for()
    page.screenshot(path="test-artifacts/land_panel.png")
    assert browser_page.problems.all() == []
