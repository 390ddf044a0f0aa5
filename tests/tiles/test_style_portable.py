"""Style layers spelt so QGIS 3.22 reads them: match labels as arrays, case/step split by filter.

MapLibre must draw the same: each split layer keeps one plain colour and a filter, and for any
feature exactly one of the layers applies, with the colour the original expression gave it.
"""

from __future__ import annotations

from typing import Any

from tiles.expressions import portable, split

STATIONS: dict[str, Any] = {
    "id": "env_stations:circle",
    "type": "circle",
    "paint": {
        "circle-color": [
            "case",
            ["==", ["get", "stale"], True],
            "#d9d9d9",
            ["==", ["get", "kind"], "water"],
            "#2171b5",
            ["!", ["has", "aqi"]],
            "#969696",
            ["step", ["get", "aqi"], "#00e400", 51, "#ffff00", 101, "#ff7e00"],
        ],
        "circle-stroke-color": ["case", ["==", ["get", "stale"], True], "#636363", "#ffffff"],
        "circle-radius": 8,
    },
}


def _eval(expr: Any, props: dict[str, Any]) -> Any:
    """A small evaluator of the expressions used here (MapLibre semantics)."""
    if not isinstance(expr, list):
        return expr
    op, *args = expr
    if op == "get":
        return props.get(args[0])
    if op == "has":
        return args[0] in props
    if op == "!":
        return not _eval(args[0], props)
    if op in {"all", "any"}:
        parts = [_eval(a, props) for a in args]
        return all(parts) if op == "all" else any(parts)
    if op in {"==", "!=", "<", ">=", "<=", ">"}:
        a, b = _eval(args[0], props), _eval(args[1], props)
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if a is None or b is None:
            return False
        return {"<": a < b, ">=": a >= b, "<=": a <= b, ">": a > b}[op]
    if op == "case":
        for cond, value in zip(args[0:-1:2], args[1:-1:2], strict=True):
            if _eval(cond, props):
                return _eval(value, props)
        return _eval(args[-1], props)
    if op == "step":
        value, out = _eval(args[0], props), args[1]
        for threshold, output in zip(args[2::2], args[3::2], strict=True):
            if value >= threshold:
                out = output
        return out
    raise ValueError(op)


def test_split_layers_draw_each_station_once_in_its_colour() -> None:
    layers = split(STATIONS)
    assert [layer["id"] for layer in layers][:2] == ["env_stations:circle", "env_stations:circle:2"]
    for layer in layers:  # plain values only: nothing QGIS 3.22 skips
        assert isinstance(layer["paint"]["circle-color"], str)
        assert isinstance(layer["paint"]["circle-stroke-color"], str)
        assert layer["paint"]["circle-radius"] == 8
    cases = [
        {"stale": True, "kind": "air", "aqi": 40},
        {"stale": False, "kind": "water"},
        {"stale": False, "kind": "air"},
        {"kind": "air", "aqi": 50},
        {"stale": False, "kind": "air", "aqi": 51},
        {"stale": False, "kind": "air", "aqi": 180},
    ]
    for props in cases:
        drawn = [layer for layer in layers if _eval(layer["filter"], props)]
        assert len(drawn) == 1, props
        paint = STATIONS["paint"]
        assert drawn[0]["paint"]["circle-color"] == _eval(paint["circle-color"], props), props
        stroke = _eval(paint["circle-stroke-color"], props)
        assert drawn[0]["paint"]["circle-stroke-color"] == stroke, props


def test_split_keeps_the_layer_filter_and_plain_layers_alone() -> None:
    filtered = {**STATIONS, "filter": ["==", ["get", "kind"], "air"]}
    assert all(layer["filter"][1] == filtered["filter"] for layer in split(filtered))
    plain = {"id": "a", "type": "fill", "paint": {"fill-color": "#ffffff"}}
    assert split(plain) == [plain]


def test_match_labels_become_arrays_everywhere() -> None:
    layer: dict[str, Any] = {
        "id": "land_use:fill",
        "type": "fill",
        "filter": ["match", ["get", "code"], "ODT", True, False],
        "paint": {
            "fill-color": [
                "match",
                ["get", "code"],
                "ODT",
                "#f4a582",
                ["ONT", "TMD"],
                "#fddbc7",
                "#ccc",
            ],
            "fill-opacity": ["interpolate", ["linear"], ["zoom"], 10, 0.2, 16, 0.6],
        },
    }
    out = portable(layer)
    assert out["paint"]["fill-color"] == [
        "match",
        ["get", "code"],
        ["ODT"],
        "#f4a582",
        ["ONT", "TMD"],
        "#fddbc7",
        "#ccc",
    ]
    assert out["filter"] == ["match", ["get", "code"], ["ODT"], True, False]
    assert out["paint"]["fill-opacity"] == layer["paint"]["fill-opacity"]


def test_coalesce_in_a_filter_becomes_has_and_get() -> None:
    single = {
        "id": "r",
        "type": "circle",
        "filter": ["<=", ["coalesce", ["get", "point_count"], 1], 1],
    }
    cluster = {
        "id": "c",
        "type": "circle",
        "filter": [">", ["coalesce", ["get", "point_count"], 1], 1],
    }
    a, b = portable(single)["filter"], portable(cluster)["filter"]
    assert a == ["any", ["!", ["has", "point_count"]], ["<=", ["get", "point_count"], 1]]
    assert b == ["all", ["has", "point_count"], [">", ["get", "point_count"], 1]]
    for props in ({}, {"point_count": 1}, {"point_count": 7}):
        count = props.get("point_count", 1)
        assert _eval(a, props) == (count <= 1) and _eval(b, props) == (count > 1)


def test_a_stepped_radius_is_split_too() -> None:
    cluster: dict[str, Any] = {
        "id": "reports:cluster",
        "type": "circle",
        "paint": {"circle-radius": ["step", ["get", "point_count"], 9, 10, 12, 50, 16]},
    }
    layers = split(cluster)
    assert [layer["paint"]["circle-radius"] for layer in layers] == [9, 12, 16]
    for count in (2, 10, 49, 50, 400):
        [drawn] = [x for x in layers if _eval(x["filter"], {"point_count": count})]
        assert drawn["paint"]["circle-radius"] == _eval(
            cluster["paint"]["circle-radius"], {"point_count": count}
        )
