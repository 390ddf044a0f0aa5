"""Style expressions rewritten into the spelling every renderer reads the same way.

QGIS 3.22's MapLibre converter turns a `match` whose label is a bare string into `IN ()` and
draws every feature with the fallback colour; a label written as a one-element array
(`["ODT"]`) means the same to MapLibre and converts right in QGIS. It skips `case` and `step`
colours, radii and widths altogether: such a style layer becomes one style layer per branch,
each with a filter that picks its features and a plain value — the same picture in MapLibre,
and one QGIS draws.
A comparison of `["coalesce", ["get", f], d]` (also skipped) becomes `has`/`get` tests.
"""

from __future__ import annotations

from typing import Any

# Paint and layout properties and filters are walked; other keys hold no expressions.
_EXPRESSION_KEYS = ("paint", "layout", "filter")


_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _without_coalesce(expr: list[Any]) -> list[Any] | None:
    """`[op, ["coalesce", ["get", f], d], v]` (which QGIS 3.22 skips) as has/get tests."""
    if len(expr) != 3 or expr[0] not in _COMPARE:
        return None
    op, left, value = expr
    if not (
        isinstance(left, list)
        and len(left) == 3
        and left[0] == "coalesce"
        and isinstance(left[1], list)
        and left[1][:1] == ["get"]
        and not isinstance(left[2], list)
        and not isinstance(value, list)
    ):
        return None
    get, default = left[1], left[2]
    compared = [op, get, value]
    if _COMPARE[op](default, value):  # a missing value passes, as its default would
        return ["any", ["!", ["has", get[1]]], compared]
    return ["all", ["has", get[1]], compared]


def _labels_as_arrays(expr: Any) -> Any:
    if not isinstance(expr, list) or not expr:
        return expr
    plain = _without_coalesce(expr)
    if plain is not None:
        return [_labels_as_arrays(item) for item in plain]
    if expr[0] == "match" and len(expr) >= 4:
        head = [expr[0], _labels_as_arrays(expr[1])]
        pairs, default = expr[2:-1], expr[-1]
        out = list(head)
        for i in range(0, len(pairs) - 1, 2):
            label, value = pairs[i], pairs[i + 1]
            out.append(label if isinstance(label, list) else [label])
            out.append(_labels_as_arrays(value))
        out.append(_labels_as_arrays(default))
        return out
    return [_labels_as_arrays(item) for item in expr]


# Properties whose `case` / `step` values are split into filtered style layers.
_SPLIT = (
    "fill-color",
    "fill-outline-color",
    "line-color",
    "line-width",
    "circle-color",
    "circle-radius",
    "circle-stroke-color",
    "text-color",
)


_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _negate(cond: Any) -> Any:
    """`["!", cond]` spelt as QGIS 3.22 reads it (it skips `!` around a comparison)."""
    if isinstance(cond, list) and cond:
        head = cond[0]
        if head == "!" and len(cond) == 2:
            return cond[1]
        if head in _NEGATED and len(cond) == 3:
            return [_NEGATED[head], *cond[1:]]
        if head in ("all", "any"):
            return ["any" if head == "all" else "all", *(_negate(c) for c in cond[1:])]
    return ["!", cond]


def _branches(expr: Any) -> list[tuple[list[Any], Any]]:
    """(conditions, plain value) pairs covering every feature once, for `case` and `step`."""
    if isinstance(expr, list) and expr and expr[0] == "case" and len(expr) % 2 == 0:
        out: list[tuple[list[Any], Any]] = []
        earlier: list[Any] = []
        for i in range(1, len(expr) - 1, 2):
            cond, value = expr[i], expr[i + 1]
            for conds, plain in _branches(value):
                out.append(([*earlier, cond, *conds], plain))
            earlier.append(_negate(cond))
        out += [([*earlier, *conds], plain) for conds, plain in _branches(expr[-1])]
        return out
    if isinstance(expr, list) and expr and expr[0] == "step" and len(expr) % 2 == 1:
        value, stops = expr[1], expr[2:]
        outputs, thresholds = stops[0::2], stops[1::2]
        out = []
        for i, plain in enumerate(outputs):
            conds = []
            if i > 0:
                conds.append([">=", value, thresholds[i - 1]])
            if i < len(thresholds):
                conds.append(["<", value, thresholds[i]])
            out += [([*conds, *inner], p) for inner, p in _branches(plain)]
        return out
    return [([], expr)]


def split(style_layer: dict[str, Any]) -> list[dict[str, Any]]:
    """The style layer as one layer per branch of its `case` / `step` colours (else itself)."""
    paint = style_layer.get("paint") or {}
    split_props = [
        p for p in _SPLIT if isinstance(paint.get(p), list) and paint[p][:1] in (["case"], ["step"])
    ]
    if not split_props:
        return [style_layer]
    combos: list[tuple[list[Any], dict[str, Any]]] = [([], {})]
    for prop in split_props:
        combos = [
            ([*conds, *more], {**values, prop: plain})
            for conds, values in combos
            for more, plain in _branches(paint[prop])
        ]
    out: list[dict[str, Any]] = []
    for conds, values in combos:
        unique = [c for i, c in enumerate(conds) if c not in conds[:i]]
        if any(_negate(c) in unique for c in unique):
            continue  # a branch of one colour that another colour's branch rules out
        conds = unique
        own = [style_layer["filter"]] if "filter" in style_layer else []
        layer = {
            **style_layer,
            "id": style_layer["id"] if not out else f"{style_layer['id']}:{len(out) + 1}",
            "paint": {**paint, **values},
        }
        if own or conds:
            layer["filter"] = ["all", *own, *conds]
        out.append(layer)
    return out


def portable(style_layer: dict[str, Any]) -> dict[str, Any]:
    """The style layer with every `match` label as an array (in paint, layout and filter)."""
    out = dict(style_layer)
    for key in _EXPRESSION_KEYS:
        value = out.get(key)
        if isinstance(value, dict):
            out[key] = {name: _labels_as_arrays(v) for name, v in value.items()}
        elif isinstance(value, list):
            out[key] = _labels_as_arrays(value)
    return out
