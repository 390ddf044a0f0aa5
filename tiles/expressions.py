"""Style expressions rewritten into the spelling every renderer reads the same way.

QGIS 3.22's MapLibre converter turns a `match` whose label is a bare string into `IN ()` and
draws every feature with the fallback colour; a label written as a one-element array
(`["ODT"]`) means the same to MapLibre and converts right in QGIS.
"""

from __future__ import annotations

from typing import Any

# Paint and layout properties and filters are walked; other keys hold no expressions.
_EXPRESSION_KEYS = ("paint", "layout", "filter")


def _labels_as_arrays(expr: Any) -> Any:
    if not isinstance(expr, list) or not expr:
        return expr
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
