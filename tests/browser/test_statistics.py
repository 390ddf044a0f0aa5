"""The socio-economic pane in Chromium: pick an indicator, slide the period, open a unit card."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.browser.conftest import BrowserPage
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
        timeout=30_000,
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
        timeout=30_000,
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
