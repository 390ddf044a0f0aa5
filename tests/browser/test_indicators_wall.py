"""The `indicators` wall screen in Chromium: an indicator's map beside the province's figures.

Screen 1 of the demo's `leaders` wall maps retail sales for the latest month the map holds; beside
it the headline figures against target and the five communes with the lowest sales must be the
analytics API's, and a value reported through the API moves the ranking on the screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from geo_ioc.walls.layout import load
from tests.browser.conftest import WAIT_MS, BrowserPage, Login, log_in, open_page
from tests.socioeconomic.conftest import se_demo, se_maps  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

READY = (
    "() => window.geoIocIndicatorsWall && window.geoIocIndicatorsWall.ready"
    " && window.geoIocIndicatorsWall.mapReady"
)


def vi(value: float, amount: bool = False) -> str:
    """A number as Intl's vi-VN with at most one decimal (none for an amount ≥ 1000): 1.234,5."""
    step = Decimal("1") if amount and abs(value) >= 1000 else Decimal("0.1")
    rounded = Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)
    text = f"{rounded:,f}".removesuffix(".0")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.fixture(scope="module")
def sct_token(se_maps: list[str], django_db_blocker: pytest.FixtureRequest) -> str:  # noqa: F811
    """An API token of the agency reporting retail sales (the Department of Industry and Trade)."""
    from django.contrib.auth import get_user_model

    from geo_ioc.core.models import ApiToken
    from geo_ioc.socioeconomic.models import Agency

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        user, _ = get_user_model().objects.get_or_create(username="sct_wall_reporter")
        Agency.objects.get(code="SCT").members.add(user)
        return ApiToken.issue(user, name="sct-wall")[1]


@pytest.fixture(scope="module")
def poor_rate_map(se_maps: list[str], django_db_blocker: pytest.FixtureRequest) -> str:  # noqa: F811
    """The map of a lower-is-better indicator (removed with the others by `se_maps`).

    Asked first by `screen`: the database is out of reach once the browser's event loop runs.
    """
    from geo_ioc.socioeconomic import maps
    from geo_ioc.socioeconomic.models import Indicator

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return str(maps.refresh(Indicator.objects.get(code="poor_rate")))


@pytest.fixture(scope="module")
def screen(
    poor_rate_map: str, sct_token: str, operator_login: Login, browser: Browser, server_url: str
) -> Iterator[BrowserPage]:
    bp, close = open_page(browser, server_url, viewport={"width": 1600, "height": 900})
    log_in(bp, operator_login, "/wall/leaders?screen=1")
    try:
        bp.page.wait_for_function(READY, timeout=WAIT_MS)
    except Exception:
        state = bp.page.evaluate("() => window.geoIocIndicatorsWall || null")
        pytest.fail(f"the screen did not get ready: {state}; {bp.problems.all()}")
    yield bp
    close()


def get(bp: BrowserPage, path: str, **params: str) -> Any:
    response = bp.page.request.get(f"{bp.url}{path}", params=params)
    assert response.ok, response.text()
    return response.json()


def test_map_figures_and_worst_communes_are_the_analytics_apis(screen: BrowserPage) -> None:
    page = screen.page
    view = load().walls["leaders"].views[0]
    assert view.indicator == "retail_sales" and view.headline is not None
    state = page.evaluate("() => window.geoIocIndicatorsWall")

    # The latest period the indicator's map holds (no `period:` in the view).
    layer = next(x for x in get(screen, "/layers")["layers"] if x["slug"] == "ind_retail_sales")
    periods = sorted(f["name"][2:] for f in layer["fields"] if f["name"][2:].isdigit())
    period = periods[-1]
    assert state["period"] == period
    assert page.locator(f'.se-wall[data-period="{period}"] .se-wall-period b').inner_text() == (
        f"{period[4:]}/{period[:4]}"
    )

    # The map: the indicator's class layers shown, reading the period's column; a legend.
    drawn = page.evaluate(
        "() => window.geoIocMap.getStyle().layers.filter((l) => l.metadata"
        " && l.metadata['geo-ioc:layer'] === 'ind_retail_sales' && l.type === 'fill')"
        ".map((l) => [(l.layout || {}).visibility, JSON.stringify([l.paint, l.filter])])"
    )
    assert drawn and all(v == "visible" and f'"v_{period}"' in s for v, s in drawn)
    assert page.locator(".se-wall-legend .legend li").count() >= 2

    # The headline figures: the API's cells for the province, in the view's order.
    own = get(screen, "/socioeconomic/analytics", dx=",".join(view.headline), pe=period, ou="68")
    cells = {r["indicator"]: r for r in own["rows"]}
    rows = page.locator(".se-wall-figures li[data-indicator]")
    assert rows.count() == len(view.headline)
    for i, code in enumerate(view.headline):
        cell, row = cells[code], rows.nth(i)
        assert row.get_attribute("data-indicator") == code
        for key in ("value", "target", "attainment", "change"):
            assert state["figures"][i][key] == cell[key], (code, key)
        assert row.locator(".se-value").inner_text() == vi(cell["value"], amount=True)
        assert row.locator(".se-target").inner_text() == (
            "—" if cell["target"] is None else vi(cell["target"], amount=True)
        )
        expected = (
            "none"
            if cell["attainment"] is None
            else ("below" if cell["attainment"] < 100 else "met")
        )
        assert row.get_attribute("data-attainment") == expected
        if cell["attainment"] is not None:
            assert row.locator(".se-attainment").inner_text() == f"{vi(cell['attainment'])} %"
    # The demo's targets: some headline figures are under target and some not, or both colours
    # would not be seen; at least one has a target and a change.
    assert any(c["attainment"] is not None for c in cells.values())
    assert any(c["change"] is not None for c in cells.values())

    # The five communes with the lowest sales (higher is better), lowest first.
    assert expected_worst(screen, period) == [
        page.locator(".se-worst li").nth(i).get_attribute("data-unit") for i in range(5)
    ]
    page.screenshot(path="test-artifacts/indicators_wall.png")
    assert screen.problems.all() == []


def expected_worst(
    bp: BrowserPage, period: str, code: str = "retail_sales", higher_is_better: bool = True
) -> list[str]:
    """The five worst communes by the API: lowest first, or highest for lower-is-better."""
    communes = get(bp, "/socioeconomic/analytics", dx=code, pe=period, ou="68", level="commune")
    rows = sorted(
        (r for r in communes["rows"] if r["value"] is not None),
        key=lambda r: (r["value"] if higher_is_better else -r["value"], r["unit"]),
    )
    return [r["unit"] for r in rows[:5]]


def test_a_lower_is_better_indicator_ranks_its_highest_values_worst(
    poor_rate_map: str, operator_login: Login, browser: Browser, server_url: str
) -> None:
    bp, close = open_page(browser, server_url, viewport={"width": 1600, "height": 900})
    try:
        log_in(bp, operator_login, "/wall/leaders?screen=2")
        bp.page.wait_for_function(READY, timeout=WAIT_MS)
        state = bp.page.evaluate("() => window.geoIocIndicatorsWall")
        worst = expected_worst(bp, state["period"], "poor_rate", higher_is_better=False)
        assert [r["unit"] for r in state["worst"]] == worst
        values = [r["value"] for r in state["worst"]]
        assert values == sorted(values, reverse=True)
        # No headline in the view: the server's defaults, each with its figures.
        assert bp.page.locator(".se-wall-figures li[data-indicator]").count() == 5
        assert bp.problems.all() == []
    finally:
        close()


def test_a_reported_value_moves_the_worst_communes(screen: BrowserPage, sct_token: str) -> None:
    page = screen.page
    state = page.evaluate("() => window.geoIocIndicatorsWall")
    period, worst = state["period"], state["worst"][0]
    top = max(r["value"] for r in state["worst"]) * 100
    auth = {"Authorization": f"Token {sct_token}"}
    with httpx.Client(base_url=screen.url, headers=auth, timeout=60) as http:
        posted = http.post(
            "/socioeconomic/values",
            json={
                "values": [
                    {
                        "indicator": "retail_sales",
                        "period": period,
                        "unit": worst["unit"],
                        "value": top,
                    }
                ]
            },
        )
        assert posted.status_code == 200, posted.text
        try:
            # The live channel says the map changed: the screen reads its figures again.
            page.wait_for_function(
                f"() => window.geoIocIndicatorsWall.refreshes > {state['refreshes']}"
                f" && !window.geoIocIndicatorsWall.worst.some((r) => r.unit === '{worst['unit']}')",
                timeout=WAIT_MS,
            )
            assert page.locator(f'.se-worst li[data-unit="{worst["unit"]}"]').count() == 0
            assert [
                page.locator(".se-worst li").nth(i).get_attribute("data-unit") for i in range(5)
            ] == expected_worst(screen, period)
        finally:
            back = http.post(
                "/socioeconomic/values",
                json={
                    "values": [
                        {
                            "indicator": "retail_sales",
                            "period": period,
                            "unit": worst["unit"],
                            "value": worst["value"],
                        }
                    ]
                },
            )
            assert back.status_code == 200, back.text
    assert screen.problems.all() == []
