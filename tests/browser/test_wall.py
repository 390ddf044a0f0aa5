"""Video-wall screens in headless Chromium: they follow the console that drives the wall.

The demo wall (fixtures/demo/walls.yaml) is 3 × 3; screens 1–6 show one map cut into 2 rows of
3 screens. Two of its screens must show exactly adjacent parts of the console's view: the same
zoom (the console's plus the view's offset) and centres one screen apart in pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo_ioc.walls.layout import load
from tests.browser.conftest import WAIT_MS, BrowserPage, Login, log_in, open_page

pytestmark = pytest.mark.browser

SCREEN = {"width": 960, "height": 540}
WALL_READY = "() => window.geoIocWall && window.geoIocWall.joined && window.geoIocMap"
CONSOLE_READY = "() => window.geoIocMap && window.geoIocMap.loaded() && window.geoIocDriver"
TILE_SIZE = 512


def world_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixels at `zoom` of MapLibre's 512-pixel world."""
    size = TILE_SIZE * 2**zoom
    phi = math.radians(lat)
    return (
        (lon + 180) / 360 * size,
        (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * size,
    )


@pytest.fixture(scope="module")
def pages(
    operator_login: Login, browser: Browser, server_url: str
) -> Iterator[dict[str, BrowserPage]]:
    """The console and screens 1, 2 and 7 of the demo wall, each in its own browser context."""
    opened: dict[str, BrowserPage] = {}
    closers = []
    for name, path, viewport in [
        ("console", "/", {"width": 1440, "height": 900}),
        ("screen1", "/wall/main?screen=1", SCREEN),
        ("screen2", "/wall/main?screen=2", SCREEN),
        ("screen7", "/wall/main?screen=7", SCREEN),
    ]:
        bp, close = open_page(browser, server_url, viewport=viewport)
        closers.append(close)
        log_in(bp, operator_login, path)
        opened[name] = bp
    opened["console"].page.wait_for_function(CONSOLE_READY, timeout=WAIT_MS)
    for name in ("screen1", "screen2", "screen7"):
        opened[name].page.wait_for_function(
            "() => window.geoIocWall && window.geoIocWall.joined", timeout=WAIT_MS
        )
    yield opened
    for close in closers:
        close()


def map_state(bp: BrowserPage) -> dict[str, float]:
    return dict(
        bp.page.evaluate(
            "() => { const m = window.geoIocMap; const c = m.getCenter(); "
            "return { lon: c.lng, lat: c.lat, zoom: m.getZoom(), "
            "views: window.geoIocWall.views }; }"
        )
    )


def test_a_wall_screen_asks_for_a_login(browser: Browser, server_url: str) -> None:
    bp, close = open_page(browser, server_url)
    try:
        bp.page.goto(f"{server_url}/wall/main?screen=1", wait_until="load")
        assert "/login?next=" in bp.page.url
        assert bp.page.locator(".login-card form").is_visible()
    finally:
        close()


def test_two_screens_follow_the_console_edge_to_edge(
    pages: dict[str, BrowserPage], artifacts: Path
) -> None:
    console, one, two = pages["console"], pages["screen1"], pages["screen2"]
    for screen in (one, two):
        screen.page.wait_for_function(WALL_READY, timeout=WAIT_MS)
    before = {name: map_state(bp)["views"] for name, bp in (("one", one), ("two", two))}
    console.page.click("#drive-toggle")
    assert console.page.get_attribute("#drive-toggle", "aria-pressed") == "true"
    target = (108.4475, 11.9371, 14.25)
    console.page.evaluate(
        "([lon, lat, zoom]) => window.geoIocMap.jumpTo({ center: [lon, lat], zoom })", target
    )
    # Both screens moved to the console's view.
    for name, bp in (("one", one), ("two", two)):
        bp.page.wait_for_function(
            "([n, zoom]) => window.geoIocWall.views > n "
            "&& Math.abs(window.geoIocMap.getZoom() - zoom) < 1e-6",
            arg=[before[name], target[2] + 0.5],
            timeout=WAIT_MS,
        )
    wall = load().walls["main"]
    view = wall.views[0]
    zoom = target[2] + view.zoom_offset
    a, b = map_state(one), map_state(two)
    ax, ay = world_px(a["lon"], a["lat"], zoom)
    bx, by = world_px(b["lon"], b["lat"], zoom)
    cx, cy = world_px(target[0], target[1], zoom)
    # Screen 2 is the middle column of the top row: above the console's centre by half a screen;
    # screen 1 is one screen width to its left. To the tenth of a pixel: the edges meet exactly.
    assert abs(bx - cx) < 0.1 and abs(by - (cy - SCREEN["height"] / 2)) < 0.1
    assert abs((bx - ax) - (SCREEN["width"] + wall.bezel.x)) < 0.1 and abs(by - ay) < 0.1
    one.page.screenshot(path=str(artifacts / "wall-screen1.png"))
    two.page.screenshot(path=str(artifacts / "wall-screen2.png"))
    for bp in (console, one, two):
        assert bp.problems.all() == [], bp.problems.all()


def test_focusing_an_incident_points_the_wall_at_it(pages: dict[str, BrowserPage]) -> None:
    console, one, seven = pages["console"], pages["screen1"], pages["screen7"]
    if console.page.get_attribute("#drive-toggle", "aria-pressed") != "true":
        console.page.click("#drive-toggle")
    console.page.click('[data-tab="incidents"]')
    item = console.page.locator("#pane-incidents .incident-item").first
    incident_id = item.get_attribute("data-incident-id")
    item.click()
    for screen in (one, seven):
        screen.page.wait_for_function(
            "(id) => window.geoIocWall.focus && String(window.geoIocWall.focus.incident) === id",
            arg=incident_id,
            timeout=WAIT_MS,  # the screens draw software WebGL maps: their pages can lag
        )
        assert screen.page.locator(".wall-focus").is_visible()
    assert one.page.locator(".focus-ring").count() == 1


def test_alerts_screen_shows_kpis_and_feed_in_large_type(
    pages: dict[str, BrowserPage], artifacts: Path
) -> None:
    seven = pages["screen7"]
    page = seven.page
    page.wait_for_selector('.wall-kpis [data-kpi="incidents"]')
    assert page.locator(".wall-board svg.chart").count() >= 1
    size = page.evaluate(
        "() => parseFloat(getComputedStyle("
        "document.querySelector('.wall-kpis .kpi-value')).fontSize)"
    )
    assert size >= 40  # readable from three metres
    assert "Tường màn hình chính" in page.inner_text(".wall-badge")
    page.screenshot(path=str(artifacts / "wall-screen7.png"))
    assert seven.problems.all() == [], seven.problems.all()
