"""Cameras in the browser: the `cameras` wall screen (newest masked snapshots, tampered first) and
the camera popup of the console (snapshot, health, congestion sparkline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest
from playwright.sync_api import Browser

from geo_ioc.cameras import synthetic
from tests.browser.conftest import WAIT_MS, Login, log_in, open_page
from tests.browser.test_map import WAIT_IDLE
from tests.browser.test_wall import CONSOLE_READY
from tests.helpers import own_connection

pytestmark = pytest.mark.browser
CODE = "CAM-005"


@pytest.fixture(scope="module")
def tampered_with_a_snapshot(django_db_setup: None) -> Iterator[str]:
    """A demo camera marked tampered, with one stored snapshot; both undone after."""
    ok, jpeg = cv2.imencode(".jpg", synthetic.Scene(seed=5).frame(0.4, 0))
    assert ok
    with own_connection() as conn:
        cam = conn.execute(
            "SELECT id, tamper FROM cameras_camera WHERE code = %s", [CODE]
        ).fetchone()
        assert cam is not None
        conn.execute(
            "INSERT INTO cameras_snapshot"
            " (camera_id, taken_at, jpeg, width, height, faces, plates, keep)"
            " VALUES (%s, now(), %s, 1280, 720, 0, 0, false)",
            [cam[0], jpeg.tobytes()],
        )
        conn.execute(
            "UPDATE cameras_camera SET tamper = 'covered', tamper_confidence = 0.9 WHERE id = %s",
            [cam[0]],
        )
    yield CODE
    with own_connection() as conn:
        conn.execute("DELETE FROM cameras_snapshot WHERE camera_id = %s", [cam[0]])
        conn.execute(
            "UPDATE cameras_camera SET tamper = %s, tamper_confidence = NULL WHERE id = %s",
            [cam[1], cam[0]],
        )
        # The audit entries of the views stay: the audit log is append-only.


def test_cameras_wall_screen(
    operator_login: Login,
    browser: Browser,
    server_url: str,
    tampered_with_a_snapshot: str,
    artifacts: Path,
) -> None:
    bp, close = open_page(browser, server_url, viewport={"width": 1920, "height": 1080})
    try:
        log_in(bp, operator_login, "/wall/cameras?screen=1")
        page = bp.page
        page.wait_for_selector(".wall-camera-grid[data-loads]")
        tiles = page.locator(".camera-tile")
        assert tiles.count() == 12
        first = tiles.first
        assert first.get_attribute("data-camera") == tampered_with_a_snapshot
        assert "tampered" in (first.get_attribute("class") or "")
        # The snapshot is the server's stored one, drawn.
        page.wait_for_function(
            "() => { const img = document.querySelector('.camera-tile.tampered img');"
            " return img && img.complete && img.naturalWidth === 1280; }"
        )
        page.screenshot(path=str(artifacts / "wall-cameras.png"))
        assert bp.problems.all() == [], bp.problems.all()
    finally:
        close()


def test_camera_popup(
    operator_login: Login, browser: Browser, server_url: str, tampered_with_a_snapshot: str
) -> None:
    bp, close = open_page(browser, server_url, viewport={"width": 1440, "height": 900})
    try:
        log_in(bp, operator_login, "/")
        page = bp.page
        page.wait_for_function(
            CONSOLE_READY, timeout=WAIT_MS
        )  # tiles load slowly on a busy machine
        lonlat = page.evaluate(
            "async (code) => (await (await fetch('/cameras/' + code)).json()).geometry.coordinates",
            tampered_with_a_snapshot,
        )
        page.evaluate("(c) => window.geoIocMap.jumpTo({center: c, zoom: 17})", lonlat)
        page.set_default_timeout(WAIT_MS)
        assert page.evaluate(WAIT_IDLE)
        # The camera's point, once drawn and still (the map is idle): click it.
        target = page.evaluate(
            """([code, lonlat]) => {
                const map = window.geoIocMap;
                const drawn = map.queryRenderedFeatures()
                    .some((x) => x.source === 'cameras' && x.properties.code === code);
                if (!drawn) return null;
                const p = map.project(lonlat);
                const r = map.getCanvas().getBoundingClientRect();
                return {x: r.left + p.x, y: r.top + p.y};
            }""",
            [tampered_with_a_snapshot, lonlat],
        )
        assert target, "the camera is drawn at its position"
        page.mouse.click(target["x"], target["y"])
        detail = page.locator(
            f".feature-popup .camera-detail[data-camera='{tampered_with_a_snapshot}']"
        )
        detail.wait_for(state="attached")
        page.wait_for_function(
            "(code) => document.querySelector(`.camera-detail[data-camera='${code}']`)"
            ".dataset.ready === '1'",
            arg=tampered_with_a_snapshot,
        )
        assert detail.locator("img.camera-snapshot").count() == 1
        assert "Bị che ống kính" in detail.locator(".camera-tamper").inner_text()
        assert detail.locator("svg.sparkline").count() == 1
        assert bp.problems.all() == [], bp.problems.all()
    finally:
        close()
