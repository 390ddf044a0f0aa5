"""Legend rows read from a layer's MapLibre fragments, named in the reader's language.

One swatch for a plain colour, one per class for `match` (and `case` on a field), one per stop for
`step` / `interpolate`. Each row keeps the data values it stands for and gets a text: the values'
names from the catalogue's value labels, else the values made readable. The rows go into the style
document's metadata, so any MapLibre client can draw a legend without parsing expressions itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypedDict

from layers.definitions import value_key

COLOUR_PROPERTY = {
    "fill": "fill-color",
    "fill-extrusion": "fill-extrusion-color",
    "line": "line-color",
    "circle": "circle-color",
    "symbol": "icon-color",
    "background": "background-color",
}
STROKE_PROPERTY = {"fill": "fill-outline-color", "circle": "circle-stroke-color"}
OPACITY_PROPERTY = {
    "fill": "fill-opacity",
    "fill-extrusion": "fill-extrusion-opacity",
    "line": "line-opacity",
    "circle": "circle-opacity",
}
# Casings, halos and outlines draw around a feature: they are not what the feature is.
_DECORATION = ("casing", "halo", "outline", "shadow")
# What a row without a value of its own stands for next to classes: everything else.
OTHER = {"vi": "Khác", "en": "Other"}
# A bare number or a step class ("3", "< 51", "≥ 51") means little without its field's title.
_NUMERIC = re.compile(r"^[<>≤≥]?\s*[-\d.,\s]+$")


class ColourClass(TypedDict):
    """One colour of a colour expression, with the values (or range) it stands for."""

    label: str | None
    field: str | None
    values: list[str]
    colour: str
    is_default: bool


class LegendRow(TypedDict):
    """A swatch: shape (`kind`), colour, stroke, opacity; `label` None is the layer itself.

    `label` and `values` are the data as the style names it (`motorway, motorway_link`); `text`
    is what a reader sees, in the style's language (`Đường cao tốc`), set by `named`.
    """

    kind: str
    label: str | None
    field: str | None
    values: list[str]
    colour: str
    stroke: str | None
    opacity: float | None
    is_default: bool
    text: str | None


@dataclass(frozen=True)
class Names:
    """How one layer's legend is named in one language."""

    lang: str
    title: str
    field_titles: dict[str, str] = field(default_factory=dict)
    # field → value key → {"vi": …, "en": …}, from the catalogue's value labels
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


def _label(value: Any) -> str:
    return value_key(value)


def _field_of(expression: Any) -> str | None:
    """The attribute a `["get", name]` input reads, if it is that simple."""
    if isinstance(expression, list) and len(expression) == 2 and expression[0] == "get":
        return expression[1] if isinstance(expression[1], str) else None
    return None


def _colour(
    label: str | None, colour: str, field: str | None = None, values: list[str] | None = None
) -> ColourClass:
    return {
        "label": label,
        "field": field,
        "values": values if values is not None else ([] if label is None else [label]),
        "colour": colour,
        "is_default": False,
    }


def _fallback(args: list[Any]) -> list[ColourClass]:
    """The trailing default output of `match` / `case`: a colour, or classes of its own."""
    last = args[-1] if args else None
    if isinstance(last, str):
        return [{"label": None, "field": None, "values": [], "colour": last, "is_default": True}]
    # A nested expression (the AQI bands of a `case` after its special cases) adds its classes.
    return colour_classes(last) if isinstance(last, list) else []


def _match(args: list[Any]) -> list[ColourClass]:
    field, pairs = _field_of(args[0]) if args else None, args[1:]
    out = []
    for i in range(0, len(pairs) - 1, 2):
        value, colour = pairs[i], pairs[i + 1]
        if isinstance(colour, str):
            values = [_label(v) for v in (value if isinstance(value, list) else [value])]
            out.append(_colour(_label(value), colour, field, values))
    return out + (_fallback(pairs) if len(pairs) % 2 == 1 else [])


def _condition(cond: Any) -> tuple[str | None, str]:
    """The field and value of `["==", ["get", f], v]` or `["!", ["has", f]]` (value `null`)."""
    if isinstance(cond, list) and len(cond) == 3 and cond[0] == "==":
        field = _field_of(cond[1])
        if field is not None:
            return field, _label(cond[2])
    if isinstance(cond, list) and len(cond) == 2 and cond[0] == "!":
        inner = cond[1]
        has = isinstance(inner, list) and len(inner) == 2 and inner[0] == "has"
        if has and isinstance(inner[1], str):
            return inner[1], _label(None)
    return None, "…"


def _case(args: list[Any]) -> list[ColourClass]:
    out = []
    for i in range(0, len(args) - 1, 2):
        field, name = _condition(args[i])
        if isinstance(args[i + 1], str):
            out.append(_colour(name, args[i + 1], field, [name] if field else []))
    return out + (_fallback(args) if len(args) % 2 == 1 else [])


def _step(args: list[Any]) -> list[ColourClass]:
    # ["step", input, output0, stop1, output1, …]; a class is keyed by its text, "< 51" / "≥ 51".
    field = _field_of(args[0]) if args else None
    out = []
    if len(args) > 2 and isinstance(args[1], str):
        out.append(_colour(f"< {_label(args[2])}", args[1], field))
    for i in range(2, len(args) - 1, 2):
        if isinstance(args[i + 1], str):
            out.append(_colour(f"≥ {_label(args[i])}", args[i + 1], field))
    return out


def _interpolate(args: list[Any]) -> list[ColourClass]:
    # ["interpolate", type, input, stop1, output1, …]; a zoom ramp is one colour, not classes.
    field = _field_of(args[1]) if len(args) > 1 else None
    out = [
        _colour(_label(args[i]), args[i + 1], field)
        for i in range(2, len(args) - 1, 2)
        if isinstance(args[i + 1], str)
    ]
    if len(args) > 1 and isinstance(args[1], list) and args[1][:1] == ["zoom"]:
        return [_colour(None, c["colour"]) for c in out[-1:]]
    return out


def colour_classes(value: Any) -> list[ColourClass]:
    """The colours a paint value can take, each with the value it stands for."""
    if isinstance(value, str):
        return [_colour(None, value)]
    if not isinstance(value, list) or not value:
        return []
    op, args = value[0], value[1:]
    if op == "match":
        return _match(args)
    if op == "case":
        return _case(args)
    if op == "step":
        return _step(args)
    if op in ("interpolate", "interpolate-hcl", "interpolate-lab"):
        return _interpolate(args)
    if op == "coalesce":
        first = next((a for a in args if isinstance(a, str | list)), None)
        return colour_classes(first)
    return []


def _plain_number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    # A zoom ramp of opacities: its last value is what a legend should show.
    if isinstance(value, list) and value and str(value[0]).startswith("interpolate"):
        return _plain_number(value[-1])
    return None


def _plain_colour(value: Any) -> str | None:
    classes = colour_classes(value)
    return classes[0]["colour"] if len(classes) == 1 else None


def in_legend(fragment: dict[str, Any]) -> bool:
    """Whether a fragment shows what its features are (casings, halos, text do not)."""
    metadata = fragment.get("metadata") or {}
    if metadata.get("geo-ioc:legend") is False:
        return False
    return not any(word in str(fragment.get("id", "")).lower() for word in _DECORATION)


def _rows_of(fragment: dict[str, Any]) -> list[LegendRow]:
    kind = "fill" if fragment["type"] == "fill-extrusion" else fragment["type"]
    prop = COLOUR_PROPERTY.get(fragment["type"])
    if prop is None:
        return []
    paint = fragment.get("paint") or {}
    default = None if fragment["type"] == "symbol" else "#000000"
    stroke = _plain_colour(paint.get(STROKE_PROPERTY.get(fragment["type"], "")))
    opacity = _plain_number(paint.get(OPACITY_PROPERTY.get(fragment["type"], "")))
    return [
        {**c, "kind": kind, "stroke": stroke, "opacity": opacity, "text": None}
        for c in colour_classes(paint.get(prop, default))
    ]


def legend_rows(fragments: list[dict[str, Any]]) -> list[LegendRow]:
    """Legend rows of a layer's fragments, without repeats."""
    rows: list[LegendRow] = []
    seen: set[tuple[str, str | None, str, bool]] = set()
    for fragment in filter(in_legend, fragments):
        for row in _rows_of(fragment):
            key = (row["kind"], row["label"], row["colour"], row["is_default"])
            if key not in seen:
                seen.add(key)
                rows.append(row)
    # A lone default next to classes is "other"; with no classes it stands for the layer.
    has_classes = any(r["label"] is not None for r in rows)
    return [{**r, "is_default": r["is_default"] and has_classes} for r in rows]


def _readable(value: str, field: str | None, names: Names) -> str:
    """A value without a label: words for `_`, a bare number after its field's title."""
    text = value.replace("_", " ")
    if field and _NUMERIC.match(text) and field in names.field_titles:
        return f"{names.field_titles[field]} {text}"
    return text


def row_text(row: LegendRow, names: Names) -> str:
    """What a legend row says in the names' language."""
    if row["label"] is None:
        return OTHER.get(names.lang, OTHER["en"]) if row["is_default"] else names.title
    own = names.labels.get(row["field"] or "", {})
    if not row["values"]:
        return _readable(row["label"], row["field"], names)
    parts = [
        own[v][names.lang] if v in own else _readable(v, row["field"], names) for v in row["values"]
    ]
    return ", ".join(dict.fromkeys(parts))


def named(rows: list[LegendRow], names: Names) -> list[LegendRow]:
    """The rows with their text in the names' language."""
    return [{**row, "text": row_text(row, names)} for row in rows]
