"""The socio-economic pane in Chromium: pick an indicator, slide the period, open a unit card."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser

from geo_ioc.socioeconomic.periods import month
from tests.browser.conftest import WAIT_MS, BrowserPage, Login, log_in, open_page
from tests.socioeconomic.conftest import se_demo, se_maps  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

WAIT_IDLE = """() => new Promise((resolve) => {
    const map = window.geoIocMap;
    map.once('idle', () => resolve(true));
    map.triggerRepaint();
})"""


@pytest.fixture(scope="module")
def xuan_huong(se_maps: list[str], django_db_blocker: pytest.FixtureRequest) -> tuple[float, float]:  # noqa: F811
    """A point inside phường Xuân Hương (read before the browser's event loop runs)."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return _inside("68.XH")


def _inside(code: str) -> tuple[float, float]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p"
            " FROM socioeconomic_adminunit WHERE code = %s AND valid_to IS NULL) s",
            [code],
        )
        lon, lat = cur.fetchone()
    return float(lon), float(lat)


def test_indicator_pane_slider_and_unit_card(
    xuan_huong: tuple[float, float],
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    lon, lat = xuan_huong
    page.goto(f"{browser_page.url}/#12/{lat}/{lon}", wait_until="load")
    page.wait_for_function(
        "() => window.geoIocStatistics && window.geoIocStatistics.indicators.length > 0"
        " && window.geoIocMap.loaded()",
        timeout=WAIT_MS,
    )
    page.click('[data-tab="statistics"]')
    # Search (without diacritics is not needed here: the name as written), then pick.
    page.fill("#pane-statistics .se-search", "bán lẻ")
    assert page.locator("#pane-statistics .se-list button").count() == 1
    page.click('#pane-statistics button[data-indicator="retail_sales"]')
    page.wait_for_selector('#pane-statistics[data-indicator="retail_sales"]')
    visible = page.evaluate(
        "() => window.geoIocMap.getStyle().layers.filter((l) => l.metadata"
        " && l.metadata['geo-ioc:layer'] === 'ind_retail_sales' && l.type === 'fill')"
        ".map((l) => (l.layout || {}).visibility)"
    )
    # One style layer per class (the server splits `step` for clients without it), all shown.
    assert len(visible) == 5 and set(visible) == {"visible"}

    # The slider moves the map to the first period: the paint reads that period's column.
    periods = page.evaluate("() => window.geoIocStatistics.periods")
    assert len(periods) == 36
    page.evaluate(
        "() => { const s = document.querySelector('#pane-statistics .se-period');"
        " s.value = '0'; s.dispatchEvent(new Event('input')); }"
    )
    page.wait_for_selector(f'#pane-statistics[data-period="{periods[0]}"]')
    drawn = page.evaluate(
        "() => window.geoIocMap.getStyle().layers.filter((l) => l.metadata"
        " && l.metadata['geo-ioc:layer'] === 'ind_retail_sales' && l.type === 'fill')"
        ".map((l) => JSON.stringify([l.paint['fill-color'], l.filter]))"
    )
    assert drawn and all(f'"v_{periods[0]}"' in d and f'"v_{periods[-1]}"' not in d for d in drawn)

    # A click on Xuân Hương opens its card: the group's indicators, sparkline, rank.
    page.evaluate(WAIT_IDLE)
    point = page.evaluate("([lon, lat]) => window.geoIocMap.project([lon, lat])", [lon, lat])
    box = page.locator("#map canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    card = page.locator('#pane-statistics .se-card[data-unit="68.XH"]')
    card.wait_for()
    assert card.locator("svg.se-spark").get_attribute("data-points") == "12"
    assert card.locator('tr[data-indicator="retail_sales"]').count() == 1
    assert "trên 38" in card.locator(".se-rank").inner_text()
    page.screenshot(path="test-artifacts/statistics_panel.png")
    assert browser_page.problems.all() == []


RENDERED = """(layers) => new Promise((resolve) => {
    const map = window.geoIocMap;
    map.once('idle', () => resolve(map.queryRenderedFeatures({ layers }).length));
    map.triggerRepaint();
})"""


def test_two_periods_compared_and_counts_as_symbols(
    xuan_huong: tuple[float, float],
    browser_page: BrowserPage,
) -> None:
    page = browser_page.page
    lon, lat = xuan_huong
    page.goto(f"{browser_page.url}/#11/{lat}/{lon}", wait_until="load")
    page.wait_for_function(
        "() => window.geoIocStatistics && window.geoIocStatistics.indicators.length > 0"
        " && window.geoIocMap.loaded()",
        timeout=WAIT_MS,
    )
    page.click('[data-tab="statistics"]')
    page.fill("#pane-statistics .se-search", "")  # the page may be the last test's, searched
    page.click('#pane-statistics button[data-indicator="retail_sales"]')
    page.wait_for_selector('#pane-statistics[data-indicator="retail_sales"]')
    periods = page.evaluate("() => window.geoIocStatistics.periods")

    # % change from a year before to the last month: one layer over the same tiles.
    page.select_option("#pane-statistics select.se-compare", "pct")
    page.wait_for_selector('#pane-statistics[data-compare="pct"]')
    page.wait_for_function(
        "() => document.querySelectorAll('#pane-statistics .se-compare-legend li').length === 6"
    )
    state = page.evaluate(
        "() => { const m = window.geoIocMap; const l = m.getStyle().layers;"
        " const c = l.find((x) => x.id === 'se-compare');"
        " const classes = l.filter((x) => x.metadata"
        " && x.metadata['geo-ioc:layer'] === 'ind_retail_sales' && x.type === 'fill');"
        " const src = classes[0].source;"
        " return { compare: c && JSON.stringify(c.paint['fill-color']), source: c && c.source,"
        " classSource: src, hidden: classes.map((x) => (x.layout || {}).visibility) }; }"
    )
    assert state["compare"] and state["source"] == state["classSource"]  # no other tiles
    assert f'"v_{periods[-13]}"' in state["compare"] and f'"v_{periods[-1]}"' in state["compare"]
    assert set(state["hidden"]) == {"none"}
    assert page.evaluate(RENDERED, ["se-compare"]) > 0
    # Colours run from red (fall) to blue (rise), and the labels are Vietnamese numbers.
    colours = page.locator("#pane-statistics .se-compare-legend li").evaluate_all(
        "(xs) => xs.map((x) => x.dataset.colour)"
    )
    assert colours[0] == "#b2182b" and colours[-1] == "#2166ac"
    assert "%" in page.locator("#pane-statistics .se-compare-legend").inner_text()

    # Another base period: the same layer reads the other column.
    page.evaluate(
        "() => { const s = document.querySelector('#pane-statistics .se-base');"
        " s.value = '0'; s.dispatchEvent(new Event('input')); }"
    )
    page.wait_for_function(
        f"""() => JSON.stringify(window.geoIocMap.getPaintProperty('se-compare', 'fill-color'))
            .includes('"v_{periods[0]}"')"""
    )
    # Comparison off: the classes come back, the layer goes.
    page.select_option("#pane-statistics select.se-compare", "")
    page.wait_for_selector('#pane-statistics[data-compare=""]')
    assert page.evaluate("() => !window.geoIocMap.getLayer('se-compare')")

    # A count: proportional symbols at label points, radius read from the chosen period.
    page.click('#pane-statistics button[data-indicator="jobs_created"]')
    page.wait_for_selector('#pane-statistics[data-indicator="jobs_created"]')
    circles = page.evaluate(
        "() => window.geoIocMap.getStyle().layers.filter((l) => l.metadata"
        " && l.metadata['geo-ioc:layer'] === 'ind_jobs_created_sym').map((l) => l.id)"
    )
    assert circles
    page.wait_for_function(
        "(ids) => ids.every((id) => window.geoIocMap.getLayoutProperty(id, 'visibility')"
        " === 'visible')",
        arg=circles,
    )
    assert page.evaluate(RENDERED, circles) > 0
    page.evaluate(
        "() => { const s = document.querySelector('#pane-statistics .se-period');"
        " s.value = '0'; s.dispatchEvent(new Event('input')); }"
    )
    radius = page.evaluate(
        "(id) => JSON.stringify(window.geoIocMap.getPaintProperty(id, 'circle-radius'))",
        circles[0],
    )
    assert f'"v_{periods[0]}"' in radius
    page.screenshot(path="test-artifacts/statistics_compare.png")
    assert browser_page.problems.all() == []


@pytest.fixture
def agency_member(
    se_maps: list[str],  # noqa: F811
    operator_login: Login,
    django_db_blocker: pytest.FixtureRequest,
) -> Iterator[tuple[str, dt.date]]:
    """The console's operator made a member of the trade agency; its report removed after."""
    from django.contrib.auth import get_user_model

    from geo_ioc.socioeconomic.models import Indicator, Submission, Value

    this_month = month(dt.date.today())

    def join() -> tuple[Any, Any]:
        agency = Indicator.objects.get(code="retail_sales").agency
        user = get_user_model().objects.get(username=operator_login.username)
        agency.members.add(user)
        Submission.objects.filter(agency=agency, period=this_month.start).delete()
        return agency, user

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        agency, user = _off_loop(join)
    yield agency.code, this_month.start

    def clean() -> None:
        agency.members.remove(user)
        Value.objects.filter(period=this_month.start, reported_by=user).delete()
        Submission.objects.filter(agency=agency, period=this_month.start).delete()

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        _off_loop(clean)


def _off_loop[T](fn: Callable[[], T]) -> T:
    """Run ORM code in a thread of its own: the browser's event loop runs in this one."""
    from django.db import connection as conn

    def run() -> T:
        try:
            return fn()
        finally:
            conn.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_monthly_report_form_checks_then_saves_and_counts_as_received(
    agency_member: tuple[str, dt.date],
    operator_login: Login,
    browser: Browser,
    server_url: str,
    django_db_blocker: pytest.FixtureRequest,
) -> None:
    bp, close = open_page(browser, server_url)  # logged in, in a context of its own
    try:
        _report(bp, operator_login, agency_member, django_db_blocker)
    finally:
        close()


def _report(
    bp: BrowserPage,
    login: Login,
    agency_member: tuple[str, dt.date],
    django_db_blocker: pytest.FixtureRequest,
) -> None:
    from geo_ioc.socioeconomic.models import Submission, Value

    agency, start = agency_member
    page = bp.page
    log_in(bp, login, "/")
    page.wait_for_function(
        "() => window.geoIocStatistics && window.geoIocStatistics.indicators.length > 0",
        timeout=WAIT_MS,
    )
    page.click('[data-tab="statistics"]')
    page.click("#pane-statistics .se-report-open")
    page.wait_for_function(
        "() => ['open', 'unavailable'].includes("
        "document.querySelector('#pane-statistics .se-report').dataset.state)"
    )
    state = page.locator("#pane-statistics .se-report").get_attribute("data-state")
    assert state == "open", page.locator("#pane-statistics .se-report-msg").inner_text()
    key = f"{start:%Y%m}"
    page.fill("#pane-statistics .se-report-month", f"{start:%Y-%m}")
    page.dispatch_event("#pane-statistics .se-report-month", "change")
    page.wait_for_function(
        f"() => window.geoIocStatistics.report.data"
        f" && window.geoIocStatistics.report.data.period === '{key}'"
        " && document.querySelector('#pane-statistics .se-report').dataset.state === 'open'"
    )
    page.select_option("#pane-statistics .se-report-indicator", "retail_sales")
    # One bad cell: nothing is written, the cell is marked with the server's reason.
    page.fill('#pane-statistics input.se-cell[data-unit="68.XH"]', "1.234,5")
    page.fill('#pane-statistics input.se-cell[data-unit="68.CL"]', "nhiều")
    page.click("#pane-statistics .se-report-send")
    page.wait_for_selector('#pane-statistics .se-report[data-state="rejected"]')
    bad = page.locator('#pane-statistics input.se-cell[data-unit="68.CL"]')
    assert "se-bad" in (bad.get_attribute("class") or "")
    assert "not a number" in (bad.get_attribute("title") or "")
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        assert not _off_loop(
            lambda: (
                Value.objects.filter(period=start, indicator__code="retail_sales").exists()
                or Submission.objects.filter(agency__code=agency, period=start).exists()
            )
        )
    # Corrected (Vietnamese numbers): saved, and the agency's report for the month is received.
    bad.fill("987,25")
    page.click("#pane-statistics .se-report-send")
    page.wait_for_selector('#pane-statistics .se-report[data-state="saved"]')
    assert "Đã ghi 2 giá trị" in page.locator("#pane-statistics .se-report-msg").inner_text()
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        got, rows = _off_loop(
            lambda: (
                dict(
                    Value.objects.filter(period=start, indicator__code="retail_sales").values_list(
                        "unit__code", "value"
                    )
                ),
                Submission.objects.get(agency__code=agency, period=start).rows,
            )
        )
    assert got == {"68.XH": 1234.5, "68.CL": 987.25}
    assert rows == 2
    status = page.evaluate(
        f"() => fetch('/socioeconomic/reporting?pe={key}').then((r) => r.json())"
    )
    (row,) = [r for r in status["rows"] if r["agency"] == agency and r["period"] == key]
    assert row["received_at"] and row["status"] in ("on_time", "late")
    page.screenshot(path="test-artifacts/statistics_report_form.png")
    # The rejected report's 422 is the one failed request: the page meant to send it.
    assert bp.problems.page_errors == []
    assert [r.split(" ")[-1] for r in bp.problems.failed_requests] == [
        f"{bp.url}/socioeconomic/values"
    ]
    assert all("422" in e for e in bp.problems.console_errors)
