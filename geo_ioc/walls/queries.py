"""Reads of walls: the list of layouts and a wall's stored state."""

from __future__ import annotations

from typing import Any

from geo_ioc.walls import layout
from geo_ioc.walls.models import WallState


def wall_list() -> list[dict[str, Any]]:
    """Every wall of the layout file, in the file's order (the console drives the first)."""
    out = []
    for name, wall in layout.load().walls.items():
        out.append(
            {
                "name": name,
                "title": wall.title.model_dump(),
                "rows": wall.rows,
                "columns": wall.columns,
                "screens": [
                    f"/wall/{name}?screen={n}" for n in range(1, wall.rows * wall.columns + 1)
                ],
                "layout": f"/walls/{name}",
            }
        )
    return out


def state(name: str) -> dict[str, Any] | None:
    """The wall's last view and focus, None when it was never driven."""
    found = WallState.objects.filter(wall=name).first()
    if found is None:
        return None
    return {
        "view": found.view,
        "focus": found.focus,
        "by": found.updated_by,
        "time": found.updated_at.isoformat(),
    }
