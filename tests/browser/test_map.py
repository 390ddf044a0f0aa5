"""The map page in headless Chromium: it loads cleanly, draws tiles, toggles and pops up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import WAIT_MS, BrowserPage

pytestmark = pytest.mark.browser


# Resolves on the map's next 'idle' (all tiles loaded, nothing moving); the repaint makes sure
# one comes even when the map is idle already.
WAIT_IDLE = """() => new Promise((resolve) => {
    const map = window.geoIocMap;
    map.once('idle', () => resolve(true));
    map.triggerRepaint();
})"""

# A point on the canvas, not under a floating panel, where a feature is drawn: points first
# (projected from their coordinates), else a scan of the canvas.
FIND_FEATURE_PIXEL = """() => {
    const map = window.geoIocMap;
    const canvas = map.getCanvas();
    const rect = canvas.getBoundingClientRect();
    const ids = map.getStyle().layers.filter((l) => l.type !== 'background').map((l) => l.id);
    const hit = (p) => {
        if (p.x < 10 || p.y < 10 || p.x > rect.width - 10 || p.y > rect.height - 10) return null;
        if (document.elementFromPoint(rect.left + p.x, rect.top + p.y) !== canvas) return null;
        const box = [[p.x - 2, p.y - 2], [p.x + 2, p.y + 2]];
        const found = map.queryRenderedFeatures(box, { layers: ids });
        if (!found.length) return null;
        return { x: rect.left + p.x, y: rect.top + p.y, source: found[0].source };
    };
    for (const f of map.queryRenderedFeatures({ layers: ids })) {
        if (f.geometry.type !== 'Point') continue;
        const found = hit(map.project(f.geometry.coordinates));
        if (found) return found;
    }
    for (let y = 20; y < rect.height - 20; y += 12) {
        for (let x = 20; x < rect.width - 20; x += 12) {
            const found = hit({ x, y });
            if (found) return found;
        }
    }
    return null;
}"""


@pytest.fixture(scope="module")
def map_page(browser_page: BrowserPage) -> BrowserPage:
    """The map page, loaded and idle."""
    page = browser_page.page
    page.goto(f"{browser_page.url}/", wait_until="load")
    page.wait_for_function("() => window.geoIocMap && window.geoIocMap.loaded()", timeout=WAIT_MS)
    assert page.evaluate(WAIT_IDLE)
    return browser_page


def catalogue(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("() => window.geoIocCatalogue")


def style_layers_of(page: Any, slugs: list[str]) -> list[dict[str, Any]]:
    return page.evaluate(
        """(slugs) => window.geoIocMap.getStyle().layers
            .filter((l) => l.metadata && slugs.includes(l.metadata['geo-ioc:layer']))
            .map((l) => ({ id: l.id, visibility: (l.layout || {}).visibility || 'visible' }))""",
        slugs,
    )


def test_map_renders_features_from_tiles(map_page: BrowserPage) -> None:
    page = map_page.page
    layers = catalogue(page)
    assert layers, "the catalogue is empty"
    sources = page.evaluate("() => Object.keys(window.geoIocMap.getStyle().sources)")
    slugs = {layer["slug"] for layer in layers}
    # Every catalogue layer is drawn from a source of the server's style (its own, or the
    # basemap's composite); the only other source is the client's overlay of the stations' AQI.
    drawn = page.evaluate(
        """() => window.geoIocMap.getStyle().layers
            .filter((l) => l.source && l['source-layer']).map((l) => l['source-layer'])"""
    )
    assert slugs <= set(drawn)
    served = page.evaluate(
        "async () => Object.keys((await (await fetch(window.geoIocStyleUrl)).json()).sources)"
    )
    assert set(served) <= set(sources) and set(sources) - set(served) <= {"station-aqi"}
    rendered = page.evaluate("() => window.geoIocMap.queryRenderedFeatures().map((f) => f.source)")
    assert len(rendered) > 0
    assert set(rendered) <= set(sources)
    # The ODbL attribution of the OSM layers reaches the attribution control.
    if any("OpenStreetMap" in (layer.get("attribution") or "") for layer in layers):
        assert "OpenStreetMap" in page.inner_text(".maplibregl-ctrl-attrib")
    assert page.inner_text("header h1").startswith("geo-ioc")
    assert page.locator(".maplibregl-ctrl-scale").is_visible()
    assert page.locator(".maplibregl-ctrl-zoom-in").is_visible()


def test_layer_panel_groups_by_domain_with_legend(map_page: BrowserPage) -> None:
    page = map_page.page
    layers = catalogue(page)
    domains = {layer["domain"] for layer in layers}
    for domain in domains:
        assert page.locator(f'input[data-domain="{domain}"]').is_checked()
    for layer in layers:
        row = page.locator(f'li.layer[data-layer="{layer["slug"]}"]')
        assert row.locator(".layer-title").text_content() == layer["title"]["vi"]
        assert row.locator(".badge-synthetic").count() == (1 if layer["synthetic"] else 0)
        # Every layer has a legend: one swatch beside its title, or one per class below it.
        assert row.locator(".swatch:not(.swatch-none)").count() >= 1
    if "base" in domains:
        assert "Nền" in page.inner_text('section[data-domain="base"] .domain-name')


def test_language_toggle(map_page: BrowserPage) -> None:
    page = map_page.page
    assert page.evaluate("() => document.documentElement.lang") == "vi"
    heading = page.locator("#layer-panel h2")
    layer = catalogue(page)[0]
    title = page.locator(f'li.layer[data-layer="{layer["slug"]}"] .layer-title')
    try:
        page.click('button[data-lang="en"]')
        assert heading.text_content() == "Layers"
        assert title.text_content() == layer["title"]["en"]
    finally:
        page.click('button[data-lang="vi"]')
    assert heading.text_content() == "Lớp dữ liệu"
    assert title.text_content() == layer["title"]["vi"]


def test_toggling_a_domain_hides_its_layers(map_page: BrowserPage) -> None:
    page = map_page.page
    rendered = set(
        page.evaluate("() => window.geoIocMap.queryRenderedFeatures().map((f) => f.source)")
    )
    by_domain: dict[str, list[str]] = {}
    for layer in catalogue(page):
        by_domain.setdefault(layer["domain"], []).append(layer["slug"])
    # A domain that is drawn right now, so switching it off changes what is rendered.
    domain, slugs = next((d, s) for d, s in by_domain.items() if rendered & set(s))
    box = page.locator(f'input[data-domain="{domain}"]')

    box.uncheck()
    ids = style_layers_of(page, slugs)
    assert ids and all(layer["visibility"] == "none" for layer in ids)
    assert page.evaluate(WAIT_IDLE)
    still = page.evaluate(
        "(ids) => window.geoIocMap.queryRenderedFeatures({ layers: ids }).length",
        [layer["id"] for layer in ids],
    )
    assert still == 0
    for slug in slugs:
        assert not page.locator(f'input[data-layer="{slug}"]').is_checked()

    box.check()
    assert all(layer["visibility"] == "visible" for layer in style_layers_of(page, slugs))
    assert page.evaluate(WAIT_IDLE)


def test_clicking_a_feature_opens_a_popup(map_page: BrowserPage, artifacts: Path) -> None:
    page = map_page.page
    target = page.evaluate(FIND_FEATURE_PIXEL)
    assert target, "no clickable feature is drawn outside the panels"

    page.mouse.move(target["x"], target["y"])
    page.wait_for_function("() => window.geoIocMap.getCanvas().style.cursor === 'pointer'")
    page.mouse.click(target["x"], target["y"])

    popup = page.locator(".maplibregl-popup .feature-popup")
    popup.wait_for(state="visible")
    titles = {layer["title"]["vi"] for layer in catalogue(page)}
    assert popup.locator("h3").first.inner_text().replace("mô phỏng", "").strip() in titles
    assert popup.locator("table tr").count() >= 1

    assert page.evaluate(WAIT_IDLE)
    page.evaluate("() => { document.getElementById('layer-tree').scrollTop = 0; }")
    page.screenshot(path=str(artifacts / "map.png"))


def test_no_console_errors_or_failed_requests(map_page: BrowserPage) -> None:
    assert map_page.problems.all() == []
