"""The `indicators` wall view in the walls file: its keys, and its codes against the registry."""

from __future__ import annotations

import pytest

from geo_ioc.socioeconomic.wall import HEADLINE
from geo_ioc.walls import layout
from tests.socioeconomic.conftest import se_demo  # noqa: F401  (fixture)

TITLE = "title: {vi: Tường, en: Wall}"


def walls(*views: str, columns: int = 2) -> str:
    body = "".join(f"      - {{{v}, {TITLE}}}\n" for v in views)
    return f"walls:\n  w1:\n    {TITLE}\n    rows: 1\n    columns: {columns}\n    views:\n{body}"


def refused(text: str) -> str:
    with pytest.raises(ValueError) as caught:
        layout.parse(text, origin="site/walls.yaml")
    return str(caught.value)


def test_an_indicators_view_draws_its_indicator_map_over_its_layers() -> None:
    text = walls(
        "kind: indicators, screens: [1], layers: [admin_units_2025], indicator: grdp,"
        " period: '202609', headline: [grdp, poor_rate], refresh_seconds: 120",
        "kind: indicators, screens: [2], indicator: poor_rate",
    )
    first, second = layout.parse(text).walls["w1"].views
    assert first.layers == ["admin_units_2025", "ind_grdp"]
    assert (first.indicator, first.period, first.headline) == (
        "grdp",
        "202609",
        ["grdp", "poor_rate"],
    )
    assert first.refresh_seconds == 120
    # No layer list: the whole catalogue's style, the indicator's map among it.
    assert second.layers is None and second.period is None
    # No headline: the app's defaults, in the view the screen reads.
    assert second.headline == list(HEADLINE)
    # Listed already: not twice.
    again = walls("kind: indicators, screens: [1, 2], layers: [ind_grdp], indicator: grdp")
    assert layout.parse(again).walls["w1"].views[0].layers == ["ind_grdp"]


@pytest.mark.parametrize(
    ("view", "where", "says"),
    [
        ("kind: indicators, screens: [1]", "walls.w1.views.0", "needs `indicator:`"),
        (
            "kind: map, screens: [1], indicator: grdp",
            "walls.w1.views.0",
            "indicator does not apply to a map view",
        ),
        (
            "kind: alerts, screens: [1], headline: [grdp]",
            "walls.w1.views.0",
            "headline does not apply to a alerts view",
        ),
        (
            "kind: indicators, screens: [1], indicator: GRDP",
            "walls.w1.views.0.indicator",
            "should match pattern",
        ),
        (
            "kind: indicators, screens: [1], indicator: grdp, period: '2026-09'",
            "walls.w1.views.0.period",
            "should match pattern",
        ),
        (
            "kind: indicators, screens: [1], indicator: grdp, period: '202613'",
            "walls.w1.views.0.period",
            "should match pattern",
        ),
        (
            "kind: indicators, screens: [1], indicator: grdp, headline: []",
            "walls.w1.views.0.headline",
            "at least 1",
        ),
        (
            "kind: indicators, screens: [1], indicator: grdp, refresh_seconds: 5",
            "walls.w1.views.0.refresh_seconds",
            "greater than or equal to 30",
        ),
        (
            "kind: indicators, screens: [1], indicator: grdp, colour: red",
            "walls.w1.views.0.colour",
            "Extra inputs",
        ),
    ],
)
def test_bad_indicators_views_are_refused_naming_the_key(view: str, where: str, says: str) -> None:
    message = refused(walls(view))
    assert message.startswith(f"site/walls.yaml: {where}: "), message
    assert says in message


@pytest.mark.django_db
def test_unknown_indicators_are_refused_against_the_registry(se_demo: dict[str, int]) -> None:  # noqa: F811
    good = walls("kind: indicators, screens: [1], indicator: grdp, headline: [poor_rate]")
    assert layout.parse(good).walls["w1"].views[0].indicator == "grdp"
    message = refused(walls("kind: indicators, screens: [1], indicator: gdrp"))
    assert message.startswith("site/walls.yaml: walls.w1.views.0: "), message
    assert "unknown indicator 'gdrp'; the registry has " in message and "grdp" in message
    message = refused(
        walls("kind: indicators, screens: [1], indicator: grdp, headline: [poor_rat]")
    )
    assert "unknown indicator 'poor_rat'" in message


@pytest.mark.django_db
def test_the_demo_walls_name_indicators_of_the_demo_registry(se_demo: dict[str, int]) -> None:  # noqa: F811
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "walls.yaml"
    leaders = layout.parse(demo.read_text("utf-8")).walls["leaders"]
    assert [v.kind for v in leaders.views] == ["indicators", "indicators"]
    assert [v.indicator for v in leaders.views] == ["retail_sales", "poor_rate"]
    assert leaders.views[0].layers == ["admin_units_2025", "ind_retail_sales"]
