"""Wall layouts over real HTTP: who may read them, the JSON of a wall, its screens, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import Users
from tests.helpers import auth

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "walls.yaml"


@pytest.fixture(scope="module")
def demo_walls() -> dict[str, Any]:
    """The demo walls file as plain YAML, read without the code under test."""
    return dict(yaml.safe_load(DEMO.read_text("utf-8"))["walls"])


def test_anonymous_may_not_read_walls(http: httpx.Client) -> None:
    for path in ("/walls", "/walls/main"):
        r = http.get(path)
        assert r.status_code == 401, path
        assert r.json()["code"] == "not_authenticated"
        assert r.headers["WWW-Authenticate"].startswith("Token")


def test_wall_list(http: httpx.Client, users: Users, demo_walls: dict[str, Any]) -> None:
    r = http.get("/walls", headers=auth(users.planner))
    assert r.status_code == 200
    walls = r.json()["walls"]
    assert [w["name"] for w in walls] == list(demo_walls)  # the file's order: main first
    for wall in walls:
        spec = demo_walls[wall["name"]]
        assert (wall["rows"], wall["columns"]) == (spec["rows"], spec["columns"])
        assert wall["title"] == spec["title"]
        count = spec["rows"] * spec["columns"]
        assert wall["screens"] == [f"/wall/{wall['name']}?screen={n}" for n in range(1, count + 1)]
        assert http.get(wall["layout"], headers=auth(users.planner)).status_code == 200


def test_wall_layout_screens_and_spans(
    http: httpx.Client, users: Users, demo_walls: dict[str, Any]
) -> None:
    body = http.get("/walls/main", headers=auth(users.operator)).json()
    spec = demo_walls["main"]
    rows, columns = spec["rows"], spec["columns"]
    assert body["name"] == "main"
    assert (body["rows"], body["columns"]) == (rows, columns)
    assert len(body["screens"]) == rows * columns
    assert [v["screens"] for v in body["views"]] == [v["screens"] for v in spec["views"]]
    for screen in body["screens"]:
        n = screen["screen"]
        assert (screen["row"], screen["column"]) == ((n - 1) // columns + 1, (n - 1) % columns + 1)
        assert screen["url"] == f"/wall/main?screen={n}"
        owners = [i for i, v in enumerate(spec["views"]) if n in v["screens"]]
        assert [screen["view"]] == owners
    # The operations map is one map over the top two rows: 3 columns × 2 rows of screens.
    map_view = next(i for i, v in enumerate(body["views"]) if v["kind"] == "map")
    spans = {s["screen"]: s["span"] for s in body["screens"] if s["view"] == map_view}
    assert spans == {
        n: {"column": (n - 1) % 3, "row": (n - 1) // 3, "columns": 3, "rows": 2}
        for n in range(1, 7)
    }
    # Every other view fills exactly one screen.
    for screen in body["screens"]:
        if screen["view"] != map_view:
            assert screen["span"] == {"column": 0, "row": 0, "columns": 1, "rows": 1}
    assert body["views"][map_view]["follow"] == "console"
    assert body["views"][map_view]["center"] == spec["views"][map_view]["center"]
    assert "state" in body


def test_unknown_wall_is_a_json_404(http: httpx.Client, users: Users) -> None:
    r = http.get("/walls/nowhere", headers=auth(users.operator))
    assert r.status_code == 404
    assert r.json() == {
        "code": "unknown_wall",
        "message": "No wall 'nowhere'; walls: cameras, leaders, main.",
        "field": "wall",
    }


def test_walls_are_read_only(http: httpx.Client, users: Users) -> None:
    for path in ("/walls", "/walls/main"):
        r = http.post(path, json={}, headers=auth(users.admin))
        assert r.status_code == 405
        assert r.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("screen", ["0", "10", "abc"])
def test_wall_page_refuses_a_screen_not_on_the_wall(
    http: httpx.Client, users: Users, screen: str
) -> None:
    r = http.get(f"/wall/main?screen={screen}", headers=auth(users.operator))
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_parameter"
    assert r.json()["field"] == "screen"
    assert "1 to 9" in r.json()["message"]


def test_wall_page_of_an_unknown_wall(http: httpx.Client, users: Users) -> None:
    r = http.get("/wall/nowhere?screen=1", headers=auth(users.operator))
    assert r.status_code == 404
    assert r.json()["code"] == "unknown_wall"
