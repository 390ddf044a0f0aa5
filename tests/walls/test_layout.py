"""Wall layouts as validated data: the demo file, bad files refused naming the key, screens."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from pytest_django.fixtures import Settings

from geo_ioc.walls import layout
from geo_ioc.walls.errors import UnknownScreen, UnknownWall

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "walls.yaml"
TITLE = "title: {vi: Tường, en: Wall}"


def wall_yaml(body: str, rows: int = 2, columns: int = 2, name: str = "w1") -> str:
    """A walls file with one wall; `body` is the YAML of its views (indented for it)."""
    return (
        f"walls:\n  {name}:\n    {TITLE}\n    rows: {rows}\n    columns: {columns}\n"
        f"    views:\n{body}"
    )


def view(screens: str, kind: str = "map", extra: str = "") -> str:
    return f"      - {{kind: {kind}, {TITLE}, screens: {screens}{extra}}}\n"


def test_demo_file_covers_every_screen_once() -> None:
    raw = yaml.safe_load(DEMO.read_text("utf-8"))
    walls = layout.parse(DEMO.read_text("utf-8")).walls
    assert set(walls) == set(raw["walls"])
    for name, wall in walls.items():
        screens = sorted(s for v in wall.views for s in v.screens)
        assert screens == list(range(1, wall.rows * wall.columns + 1)), name
        assert [v.screens for v in wall.views] == [
            v["screens"] for v in raw["walls"][name]["views"]
        ]


def test_a_good_file_parses() -> None:
    text = wall_yaml(view("[1, 2]") + view("[3]", "alerts") + view("[4]", "environment"))
    wall = layout.parse(text).walls["w1"]
    assert (wall.rows, wall.columns) == (2, 2)
    assert [v.kind for v in wall.views] == ["map", "alerts", "environment"]
    assert wall.bezel.x == wall.bezel.y == 0


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        # Unknown keys, at each level, are refused naming the key.
        (wall_yaml(view("[1]", extra=", zooom: 3")), "walls.w1.views.0.zooom", "Extra inputs"),
        (wall_yaml(view("[1]")) + "    colums: 2\n", "walls.w1.colums", "Extra inputs"),
        (wall_yaml(view("[1]")) + "extra: 1\n", "extra", "Extra inputs"),
        (
            wall_yaml(view("[1]")) + "    bezel: {x: 4, z: 1}\n",
            "walls.w1.bezel.z",
            "Extra inputs",
        ),
        # Screens: overlapping views, a view that is not a rectangle, off the grid, twice.
        (wall_yaml(view("[1, 2]") + view("[2, 4]")), "walls.w1", "screen 2 is in views 1 and 2"),
        (wall_yaml(view("[1, 2, 4]")), "walls.w1", "screens [1, 2, 4] are not a rectangle"),
        (
            wall_yaml(view("[1, 2, 3, 5]"), rows=2, columns=3),
            "walls.w1",
            "screens [1, 2, 3, 5] are not a rectangle",
        ),
        (wall_yaml(view("[1, 3]"), rows=1, columns=3), "walls.w1", "not a rectangle"),
        (wall_yaml(view("[5]")), "walls.w1", "screen 5 is not on a 2 × 2 wall (screens 1–4)"),
        (wall_yaml(view("[1, 1]")), "walls.w1.views.0", "name a screen twice"),
        (wall_yaml(view("[]")), "walls.w1.views.0.screens", "at least 1"),
        # Values.
        (wall_yaml(view("[1]", kind="ticker")), "walls.w1.views.0.kind", "Input should be"),
        (
            wall_yaml(view("[1]", extra=", center: [11.94, 108.44]")),
            "walls.w1.views.0",
            "center [11.94, 108.44] is not [lon, lat]",
        ),
        (
            wall_yaml(view("[1]", kind="alerts", extra=", layers: [roads]")),
            "walls.w1.views.0",
            "a alerts view has no map",
        ),
        (wall_yaml(view("[1]"), rows=0), "walls.w1.rows", "greater than or equal to 1"),
        (wall_yaml(view("[1]"), name="main wall"), "walls", "wall name 'main wall'"),
        (
            f"walls:\n  w1:\n    {TITLE}\n    rows: 1\n    columns: 1\n",
            "walls.w1.views",
            "required",
        ),
    ],
)
def test_bad_layouts_are_refused_naming_the_key(text: str, where: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        layout.parse(text, origin="site/walls.yaml")
    message = str(caught.value)
    assert message.startswith(f"site/walls.yaml: {where}: "), message
    assert says in message


def test_load_rereads_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "walls.yaml"
    path.write_text(wall_yaml(view("[1, 2, 3, 4]")), "utf-8")
    assert layout.load(path).walls["w1"].rows == 2
    path.write_text(wall_yaml(view("[1, 2, 3]"), rows=1, columns=3), "utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert layout.load(path).walls["w1"].columns == 3
    assert layout.load(tmp_path / "missing.yaml").walls == {}


def test_a_broken_file_fails_loudly(tmp_path: Path) -> None:
    path = tmp_path / "walls.yaml"
    path.write_text(wall_yaml(view("[1, 2]") + view("[2]")), "utf-8")
    with pytest.raises(
        ValueError, match=f"^{re.escape(str(path))}: walls.w1: .*screen 2 is in views 1"
    ):
        layout.load(path)


def test_unknown_wall_and_screen_are_not_found() -> None:
    with pytest.raises(UnknownWall) as wall:
        layout.get_wall("nowhere")
    assert (wall.value.status, wall.value.code, wall.value.field) == (404, "unknown_wall", "wall")
    assert "main" in wall.value.message
    for screen in (0, 10):
        with pytest.raises(UnknownScreen) as caught:
            layout.screen_info("main", screen)
        assert caught.value.as_dict() == {
            "code": "unknown_screen",
            "message": f"Wall 'main' has screens 1 to 9; there is no screen {screen}.",
            "field": "screen",
        }
        assert caught.value.status == 404


def test_screen_info_places_each_screen_in_its_view() -> None:
    wall = layout.get_wall("main")
    for view in wall.views:
        cells = [divmod(s - 1, wall.columns) for s in view.screens]
        top, left = min(r for r, _ in cells), min(c for _, c in cells)
        height = max(r for r, _ in cells) - top + 1
        width = max(c for _, c in cells) - left + 1
        assert width * height == len(view.screens)
        for screen, (row, column) in zip(view.screens, cells, strict=True):
            info = layout.screen_info("main", screen)
            assert info.view == view
            assert (info.row, info.column) == (row + 1, column + 1)
            assert info.span is not None
            assert (info.span.column, info.span.row) == (column - left, row - top)
            assert (info.span.columns, info.span.rows) == (width, height)


def test_a_screen_without_a_view(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "walls.yaml"
    path.write_text(
        wall_yaml(view("[2, 3]", extra=", zoom: 12") + view("[6]", "alerts"), rows=2, columns=3),
        "utf-8",
    )
    settings.GEO_IOC_WALLS_FILE = str(path)
    info = layout.screen_info("w1", 1)
    assert info.view is None and info.span is None
    body = layout.layout("w1")
    assert [s["view"] for s in body["screens"]] == [None, 0, 0, None, None, 1]
    assert body["screens"][2]["span"] == {"column": 1, "row": 0, "columns": 2, "rows": 1}
    with pytest.raises(UnknownWall):
        layout.get_wall("main")
