"""Text labels of a style: symbol layers for named features, drawn with the server's own glyphs.

A layer that exposes a `name` field gets a label fragment unless its catalogue style labels it
already. Placement follows the geometry: along the line for roads, beside the marker for points,
inside the area for polygons (and only the areas the layer fills, so an administrative layer that
fills its wards is labelled by ward, not by province and district as well).
"""

from __future__ import annotations

from typing import Any

from layers.definitions import FieldDef
from layers.sources.mvt import LABEL_SUFFIX
from layers.styles import LABEL_FIELD, LABEL_MIN_ZOOM, draws_text

# Font stacks served by `GET /fonts/…` (folders built by scripts/build-glyphs.sh).
FONT_REGULAR = "Noto Sans Regular"
FONT_BOLD = "Noto Sans Bold"
# Light text with a halo of the map's dark background, readable over any fill.
TEXT_COLOUR = "#e6edf3"
HALO_COLOUR = "#0d1117"


def base_geometry(geometry_type: str) -> str:
    """`MultiPolygon` → `Polygon`: labels are placed the same way for single and multi."""
    return geometry_type.removeprefix("Multi")


def with_fonts(fragment: dict[str, Any]) -> dict[str, Any] | None:
    """A symbol fragment made drawable offline; None when nothing of it could be drawn.

    There is no sprite, so icons are dropped. Text gets our font as the last fallback: MapLibre
    asks for the whole stack and the server answers with its first font that exists.
    """
    if fragment.get("type") != "symbol":
        return fragment
    layout = {k: v for k, v in (fragment.get("layout") or {}).items() if k != "icon-image"}
    if "text-field" not in layout:
        return None
    fonts = layout.get("text-font")
    if fonts is None:
        layout["text-font"] = [FONT_REGULAR]
    elif isinstance(fonts, list) and all(isinstance(f, str) for f in fonts):
        layout["text-font"] = list(dict.fromkeys([*fonts, FONT_REGULAR]))
    return {**fragment, "layout": layout}


def _area_filter(fragments: list[dict[str, Any]]) -> Any:
    """The filter of the layer's first fill: label what is drawn as an area.

    Label points are points, so a filter on the geometry type cannot carry over to them.
    """
    fill = next((f for f in fragments if f.get("type") == "fill"), None)
    found = fill.get("filter") if fill else None
    return None if found is None or "geometry-type" in str(found) else found


def source_layer(slug: str, geometry_type: str, fragment: dict[str, Any]) -> str:
    """The MVT layer a fragment draws: an area layer's text comes from its label points."""
    if base_geometry(geometry_type) == "Polygon" and draws_text(fragment):
        return slug + LABEL_SUFFIX
    return slug


def _placement(geometry: str) -> dict[str, Any]:
    if geometry == "LineString":
        return {
            "symbol-placement": "line",
            "text-font": [FONT_REGULAR],
            "text-size": ["interpolate", ["linear"], ["zoom"], 13, 10, 18, 14],
            "text-max-angle": 30,
        }
    if geometry == "Point":
        return {
            "text-font": [FONT_REGULAR],
            "text-size": 11,
            "text-variable-anchor": ["top", "bottom", "left", "right"],
            "text-radial-offset": 0.9,
            "text-justify": "auto",
            "text-max-width": 8,
        }
    return {"text-font": [FONT_BOLD], "text-size": 12, "text-max-width": 7}


def label_fragment(
    geometry_type: str, min_zoom: int, fields: list[FieldDef], fragments: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The generated label of a layer, or None (no visible name field, or labelled already)."""
    geometry = base_geometry(geometry_type)
    if geometry not in LABEL_MIN_ZOOM or any(draws_text(f) for f in fragments):
        return None
    if not any(f.name == LABEL_FIELD for f in fields):
        return None
    fragment: dict[str, Any] = {
        "id": "label",
        "type": "symbol",
        "minzoom": max(min_zoom, LABEL_MIN_ZOOM[geometry]),
        "layout": {"text-field": ["get", LABEL_FIELD], "text-padding": 2, **_placement(geometry)},
        "paint": {
            "text-color": TEXT_COLOUR,
            "text-halo-color": HALO_COLOUR,
            "text-halo-width": 1.5,
        },
        "metadata": {"geo-ioc:legend": False, "geo-ioc:generated": True},
    }
    area_filter = _area_filter(fragments) if geometry == "Polygon" else None
    if area_filter is not None:
        fragment["filter"] = area_filter
    return fragment
