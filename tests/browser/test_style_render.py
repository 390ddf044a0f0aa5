"""The server's own style renders in headless Chromium, labels included, with its own glyphs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Response

from tests.browser.conftest import WAIT_MS, BrowserPage

pytestmark = pytest.mark.browser

# The centre of Đà Lạt (Hồ Xuân Hương), close enough for street and place names.
CENTRE = [108.4419, 11.9404]
ZOOM = 15

# A bare page with MapLibre as the server serves it; nothing of the control-room client.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<link rel="stylesheet" href="{vendor}/maplibre-gl.css">
<script src="{vendor}/maplibre-gl.js"></script>
<style>html, body, #map {{ margin: 0; width: 100%; height: 100%; }}</style>
</head><body><div id="map"></div></body></html>"""

# Resolves on the first 'idle' (style, tiles and glyphs loaded, labels placed).
LOAD_MAP = """(opts) => new Promise((resolve, reject) => {
    const map = new maplibregl.Map({
        container: 'map', style: opts.style, center: opts.center, zoom: opts.zoom,
        fadeDuration: 0, attributionControl: { compact: false },
    });
    window.styleMap = map;
    map.on('error', (e) => reject(new Error(String(e.error && e.error.message))));
    map.once('idle', () => resolve(true));
})"""

# Placed labels only: queryRenderedFeatures answers symbols that survived collision.
RENDERED_LABELS = """() => window.styleMap.queryRenderedFeatures()
    .filter((f) => f.layer.type === 'symbol' && f.layer.layout && f.layer.layout['text-field'])
    .map((f) => ({ layer: f.layer.id, text: String(f.properties.name || '') }))"""


def _is_vietnamese(text: str) -> bool:
    """Whether the text uses letters only Vietnamese has (ạ…ỹ, ơ, ư, đ, ă)."""
    return any(0x1EA0 <= ord(c) <= 0x1EF9 or c in "ơưđăƠƯĐĂ" for c in text)


def test_all_style_renders_vietnamese_labels(browser_page: BrowserPage, artifacts: Path) -> None:
    page, url = browser_page.page, browser_page.url
    glyphs: list[Response] = []
    page.on("response", lambda r: glyphs.append(r) if "/fonts/" in r.url else None)
    # The page is answered by the browser itself, but at the server's origin, so the style,
    # tiles and glyphs need no CORS and the server needs no test page.
    html = PAGE.format(vendor=f"{url}/static/vendor/maplibre-gl")
    page.route(
        f"{url}/style-test", lambda route: route.fulfill(body=html, content_type="text/html")
    )
    page.goto(f"{url}/style-test", wait_until="load")
    page.set_default_timeout(WAIT_MS)
    options = {"style": f"{url}/styles/all.json", "center": CENTRE, "zoom": ZOOM}
    assert page.evaluate(LOAD_MAP, options)
    page.screenshot(path=str(artifacts / "style-all.png"))

    labels: list[dict[str, Any]] = page.evaluate(RENDERED_LABELS)
    texts = [label["text"] for label in labels if label["text"].strip()]
    assert texts, f"no label rendered: {labels[:5]}"
    assert any(_is_vietnamese(t) for t in texts), texts[:20]
    label_layers = {label["layer"] for label in labels}
    assert {"roads:label"} <= label_layers, label_layers

    assert glyphs, "no glyph was requested"
    failed = [f"{r.status} {r.url}" for r in glyphs if r.status != 200]
    assert not failed, failed
    ranges = {r.url.rsplit("/", 1)[1] for r in glyphs}
    assert {"0-255.pbf", "7680-7935.pbf"} <= ranges, ranges
    assert not browser_page.problems.all(), browser_page.problems.all()
