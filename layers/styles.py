"""Default MapLibre style fragments for layers that arrive without one (imports)."""

from __future__ import annotations

import hashlib
from typing import Any

from layers.definitions import GeometryType

# A qualitative palette that stays readable on the light basemap.
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4")


def colour_for(slug: str) -> str:
    """A stable colour per slug, so a re-import keeps its look."""
    return PALETTE[hashlib.sha1(slug.encode()).digest()[0] % len(PALETTE)]


def default_style(geometry_type: GeometryType, slug: str) -> list[dict[str, Any]]:
    """A simple fill/line/circle fragment in the slug's colour."""
    colour = colour_for(slug)
    base = geometry_type.value.removeprefix("Multi")
    if base == "Polygon":
        return [
            {"id": "fill", "type": "fill", "paint": {"fill-color": colour, "fill-opacity": 0.35}},
            {"id": "outline", "type": "line", "paint": {"line-color": colour, "line-width": 1}},
        ]
    if base == "LineString":
        return [{"id": "line", "type": "line", "paint": {"line-color": colour, "line-width": 2}}]
    return [
        {
            "id": "circle",
            "type": "circle",
            "paint": {
                "circle-color": colour,
                "circle-radius": 5,
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1,
            },
        }
    ]
