"""The one default look of a layer that has no style fragments, and the colours of the domains.

Styles and their legends call `fragments_or_default`, so a layer without fragments (an import, a
catalogue entry still to be styled) is drawn and explained the same way everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from layers.definitions import LayerDefinition

# The map's dark background: markers get a ring of it so they stand out from each other.
BACKGROUND = "#0d1117"
# One colour per domain (the layer tree's dots, and the default look of its layers).
DOMAIN_COLOURS = {
    "land": "#d6a84e",
    "transport": "#f59e0b",
    "security": "#ef4444",
    "environment": "#22c55e",
    "tourism": "#ec4899",
    "public_services": "#38bdf8",
    "health": "#fb7185",
    "education": "#a78bfa",
    "economy": "#0d9488",
    "base": "#64748b",
}
OTHER_COLOUR = "#94a3b8"
# The field a generated label draws, and the zoom from which labels of each geometry are worth
# their clutter (the tiles of an area layer carry label points from that zoom).
LABEL_FIELD = "name"
LABEL_MIN_ZOOM = {"Point": 14, "LineString": 13, "Polygon": 14}


def domain_colour(domain: str) -> str:
    """The colour of a domain, grey for one without."""
    return DOMAIN_COLOURS.get(domain, OTHER_COLOUR)


def default_style(geometry_type: str, domain: str) -> list[dict[str, Any]]:
    """A plain look by geometry type in the domain's colour."""
    colour = domain_colour(domain)
    fill = {"id": "fill", "type": "fill", "paint": {"fill-color": colour, "fill-opacity": 0.3}}
    # The outline draws around the area: not a class of its own in the legend.
    outline = {
        "id": "outline",
        "type": "line",
        "paint": {"line-color": colour, "line-width": 1},
        "metadata": {"geo-ioc:legend": False},
    }
    line = {
        "id": "line",
        "type": "line",
        "layout": {"line-cap": "round", "line-join": "round"},
        "paint": {
            "line-color": colour,
            "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.75, 16, 3],
        },
    }
    point = {
        "id": "point",
        "type": "circle",
        "paint": {
            "circle-radius": 4,
            "circle-color": colour,
            "circle-stroke-color": BACKGROUND,
            "circle-stroke-width": 1,
        },
    }
    base = geometry_type.removeprefix("Multi")
    if base == "Point":
        return [point]
    if base == "LineString":
        return [line]
    if base == "Polygon":
        return [fill, outline]
    # A layer of mixed geometries: each kind drawn as what it is.
    return [
        {**fill, "filter": ["==", ["geometry-type"], "Polygon"]},
        {**line, "filter": ["==", ["geometry-type"], "LineString"]},
        {**point, "filter": ["==", ["geometry-type"], "Point"]},
    ]


def fragments_or_default(
    style: list[dict[str, Any]], geometry_type: str, domain: str
) -> list[dict[str, Any]]:
    """A layer's own fragments, or the default look when it has none."""
    return style or default_style(geometry_type, domain)


def draws_text(fragment: dict[str, Any]) -> bool:
    """Whether a fragment is a symbol layer that draws text."""
    return fragment.get("type") == "symbol" and "text-field" in (fragment.get("layout") or {})


def _read_fields(expression: Any) -> set[str]:
    """Fields an expression reads with `["get", name]`."""
    if isinstance(expression, list):
        found = {expression[1]} if expression[:1] == ["get"] and len(expression) == 2 else set()
        return found.union(*(_read_fields(e) for e in expression))
    if isinstance(expression, dict):
        return set().union(*(_read_fields(e) for e in expression.values()))
    return set()


def label_fields(defn: LayerDefinition, z: int) -> set[str] | None:
    """The fields an area layer's label points carry at zoom z; None when it has none there.

    Label points (`{slug}_label`) exist from the lowest zoom of the layer's own text symbols,
    or of the generated label (a `name` field), and carry only what those symbols read.
    """
    if defn.geometry_type.value.removeprefix("Multi") != "Polygon":
        return None
    texts = [f for f in defn.style if draws_text(f)]
    if texts:
        if z < min(int(f.get("minzoom", defn.min_zoom)) for f in texts):
            return None
        return set().union(*(_read_fields([f.get("layout"), f.get("filter")]) for f in texts))
    if any(f.name == LABEL_FIELD for f in defn.fields):
        if z < max(defn.min_zoom, LABEL_MIN_ZOOM["Polygon"]):
            return None
        # The generated label is filtered like the layer's first fill.
        fill = next((f for f in defn.style if f.get("type") == "fill"), {})
        return {LABEL_FIELD} | _read_fields(fill.get("filter"))
    return None
