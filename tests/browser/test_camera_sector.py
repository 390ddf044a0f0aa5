"""Dragging a camera's sector in the console: the handle turns the bearing and sets the range, the
release saves the view (PATCH) and the field of view the server recomputed is drawn."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import Browser

from geo_ioc.cameras import services
from geo_ioc.cameras.models import Camera
from tests.browser.conftest import WAIT_MS, Login, log_in, open_page
from tests.browser.test_map import WAIT_IDLE
from tests.browser.test_wall import CONSOLE_READY
from tests.helpers import own_connection

pytestmark = pytest.mark.browser
CODE = "CAM-012"  # a demo camera no other browser test changes
METRES_PER_DEGREE = 111320


def in_thread[T](fn: Callable[[], T]) -> T:
    """Run Django's ORM off the event loop Playwright's sync API keeps in this thread."""

    def run() -> T:
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def camera_view(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[tuple[list[float], int, float]]:
    """A demo camera's position, bearing and range; its view (and field of view) put back after."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        cam = in_thread(lambda: Camera.objects.get(code=CODE))
    before = (cam.heading_deg, cam.fov_deg, cam.range_m)
    assert cam.heading_deg is not None
    yield [cam.geom.x, cam.geom.y], cam.heading_deg, cam.range_m
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        in_thread(
            lambda: services.update_view(
                Camera.objects.get(code=CODE),
                heading_deg=before[0],
                fov_deg=before[1],
                range_m=before[2],
            )
        )


def destination(lonlat: list[float], bearing: float, metres: float) -> list[float]:
    """As the console computes it (short ranges)."""
    b = math.radians(bearing)
    cos = math.cos(math.radians(lonlat[1]))
    return [
        lonlat[0] + metres * math.sin(b) / (METRES_PER_DEGREE * cos),
        lonlat[1] + metres * math.cos(b) / METRES_PER_DEGREE,
    ]


SCREEN = """(lonlat) => {
    const map = window.geoIocMap;
    const p = map.project(lonlat);
    const r = map.getCanvas().getBoundingClientRect();
    return {x: r.left + p.x, y: r.top + p.y};
}"""


def test_drag_the_sector_handle(
    operator_login: Login,
    browser: Browser,
    server_url: str,
    camera_view: tuple[list[float], int, float],
) -> None:
    lonlat, heading, range_m = camera_view
    turned, reach = (heading + 90) % 360, 60.0
    bp, close = open_page(browser, server_url, viewport={"width": 1440, "height": 900})
    try:
        log_in(bp, operator_login, "/")
        page = bp.page
        page.set_default_timeout(WAIT_MS)
        page.wait_for_function(CONSOLE_READY)
        page.evaluate("(c) => window.geoIocMap.jumpTo({center: c, zoom: 17})", lonlat)
        assert page.evaluate(WAIT_IDLE)
        target = page.evaluate(SCREEN, lonlat)
        page.mouse.click(target["x"], target["y"])
        page.wait_for_function(
            "(code) => document.querySelector(`.camera-detail[data-camera='${code}']`)"
            "?.dataset.ready === '1'",
            arg=CODE,
        )
        page.locator(f".camera-detail[data-camera='{CODE}'] button.camera-edit").click()
        page.wait_for_function(
            "() => window.geoIocMap.getContainer().dataset.cameraEdit === 'editing'"
        )
        assert page.evaluate(WAIT_IDLE)
        # The handle is drawn at the end of the bearing, at the camera's range.
        handle = page.evaluate(SCREEN, destination(lonlat, heading, range_m))
        drawn = page.evaluate(
            "() => window.geoIocMap.queryRenderedFeatures({layers: ['camera-edit-handle']}).length"
        )
        assert drawn == 1 and page.locator(".maplibregl-popup").count() == 0
        end = page.evaluate(SCREEN, destination(lonlat, turned, reach))
        with page.expect_response(
            lambda r: r.request.method == "PATCH" and r.url.endswith(f"/cameras/{CODE}")
        ) as patched:
            page.mouse.move(handle["x"], handle["y"])
            page.mouse.down()
            for i in range(1, 11):  # a drag is a series of moves
                page.mouse.move(
                    handle["x"] + (end["x"] - handle["x"]) * i / 10,
                    handle["y"] + (end["y"] - handle["y"]) * i / 10,
                )
            page.mouse.up()
        assert patched.value.status == 200
        body = patched.value.json()["properties"]
        assert abs((body["heading_deg"] - turned + 180) % 360 - 180) <= 2
        assert abs(body["range_m"] - reach) <= 3
        page.wait_for_function(
            "() => (window.geoIocMap.getContainer().dataset.cameraEdit || '').startsWith('saved:')"
        )
        assert page.evaluate(WAIT_IDLE)
        # The recomputed field of view is drawn, and it is the stored one.
        fov = page.evaluate(
            """() => window.geoIocMap.queryRenderedFeatures({layers: ['camera-edit-fov']})
                .map((f) => f.geometry.type)"""
        )
        assert fov and set(fov) <= {"Polygon", "MultiPolygon"}
        with own_connection() as conn:
            row = conn.execute(
                "SELECT heading_deg, range_m,"
                " ST_Distance(ST_Centroid(fov)::geography,"
                " ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)"
                " FROM cameras_camera WHERE code = %s",
                [*destination(lonlat, turned, reach / 2), CODE],
            ).fetchone()
        assert row is not None and row[0] == body["heading_deg"] and row[1] == body["range_m"]
        assert row[2] < reach / 2, "the stored field of view looks the new way"
        assert bp.problems.all() == [], bp.problems.all()
    finally:
        close()
