"""The client draws the server's style as it is and shows its legend in the user's language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import WAIT_MS, BrowserPage

pytestmark = pytest.mark.browser

# What the client draws over the style, live data outside the tiles: the stations' AQI badges,
# the selected parcel's outline and the replay of past incidents.
CLIENT_OVERLAYS = {
    "station-aqi:disc",
    "station-aqi:value",
    "land-highlight",
    "replay-incidents",
    "replay-incidents:halo",
}
# The style document the page asked for, fetched again with the page's own credentials.
SERVED_STYLE = "async () => (await fetch(window.geoIocStyleUrl)).json()"
# What the map draws now, as MapLibre serialises it.
MAP_STYLE = "() => window.geoIocMap.getStyle()"
# The legend of one layer in the layer tree, as the operator reads it.
LEGEND_TEXTS = """(slug) => [...document.querySelectorAll(
    `li.layer[data-layer="${slug}"] .legend li:not(.legend-more)`)].map((li) => li.textContent)"""


def _comparable(layer: dict[str, Any]) -> dict[str, Any]:
    """A style layer without what the page may change at run time (visibility)."""
    layout = {k: v for k, v in (layer.get("layout") or {}).items() if k != "visibility"}
    return {**layer, "layout": layout}


@pytest.fixture(scope="module")
def console(browser_page: BrowserPage) -> BrowserPage:
    """The Vietnamese console, anonymous, loaded."""
    page = browser_page.page
    page.goto(f"{browser_page.url}/", wait_until="load")
    page.wait_for_function("() => window.geoIocMap && window.geoIocMap.loaded()", timeout=WAIT_MS)
    return browser_page


def test_the_map_draws_the_server_style_and_builds_none_of_its_own(console: BrowserPage) -> None:
    page = console.page
    assert "/styles/all.json?lang=vi" in page.evaluate("() => window.geoIocStyleUrl")
    served = page.evaluate(SERVED_STYLE)
    drawn = page.evaluate(MAP_STYLE)
    # The catalogue's style layers are exactly the served ones, in the served order; what the
    # client adds on top (live overlays) names no catalogue layer.
    catalogue = [
        layer
        for layer in drawn["layers"]
        if layer["id"] == "background" or (layer.get("metadata") or {}).get("geo-ioc:layer")
    ]
    assert [_comparable(layer) for layer in catalogue] == [
        _comparable(layer) for layer in served["layers"]
    ]
    extra = {layer["id"] for layer in drawn["layers"] if layer not in catalogue}
    assert extra <= CLIENT_OVERLAYS, extra
    assert set(served["sources"]) <= set(drawn["sources"])
    assert drawn["glyphs"] == served["glyphs"]
    assert drawn["metadata"]["geo-ioc:legend"] == served["metadata"]["geo-ioc:legend"]


def test_legend_names_values_in_the_chosen_language(console: BrowserPage) -> None:
    page = console.page
    roads = page.evaluate(LEGEND_TEXTS, "roads")
    assert "Đường cao tốc, Nhánh nối cao tốc" in roads and "Khác" in roads
    assert "Đất ở tại đô thị" in page.evaluate(LEGEND_TEXTS, "land_use")
    layers_before = len(page.evaluate(MAP_STYLE)["layers"])
    try:
        page.click('button[data-lang="en"]')
        # The style is asked again in English and its legend replaces the Vietnamese one.
        page.wait_for_function(
            "(slug) => (" + LEGEND_TEXTS + ")(slug).includes('Motorway, Motorway link')",
            arg="roads",
        )
        assert "/styles/all.json?lang=en" in page.evaluate("() => window.geoIocStyleUrl")
        assert "Other" in page.evaluate(LEGEND_TEXTS, "roads")
        assert "Urban residential" in page.evaluate(LEGEND_TEXTS, "land_use")
        # The map keeps what it draws: the drawn layers carry no language.
        assert len(page.evaluate(MAP_STYLE)["layers"]) == layers_before
    finally:
        page.click('button[data-lang="vi"]')
    page.wait_for_function(
        "(slug) => (" + LEGEND_TEXTS + ")(slug).includes('Đường cao tốc, Nhánh nối cao tốc')",
        arg="roads",
    )
    # No raw data value is shown: every styled value of the demo has a name.
    texts = [
        t for slug in ("roads", "land_use", "buildings") for t in page.evaluate(LEGEND_TEXTS, slug)
    ]
    assert texts and not [t for t in texts if "_" in t], texts
    assert console.problems.all() == []
