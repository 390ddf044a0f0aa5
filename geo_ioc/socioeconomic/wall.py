"""The `indicators` wall screen: an indicator's map beside the province's headline figures.

A view of the kind names the indicator it maps (`indicator:`), optionally its period (`period:`,
by default the latest with data), the headline indicators (`headline:`) and how often the screen
reads the figures again (`refresh_seconds:`); the screen itself is `client/indicators_wall.js`.
The codes are checked against the registry when the walls file is read, where the registry can be
read: a walls file is also read inside the live channel's event loop (no database there) and by
tools before the registry is loaded; the screen then names the unknown code itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.db import DatabaseError

from geo_ioc.socioeconomic.models import Indicator
from geo_ioc.walls.layout import ViewSpec

# The screen's defaults: a handful of figures leaders ask for first.
HEADLINE = (
    "retail_sales",
    "budget_revenue",
    "tourist_arrivals",
    "public_invest_rate",
    "poor_rate",
)
KEYS = frozenset({"indicator", "period", "headline", "refresh_seconds"})


def codes(view: ViewSpec) -> list[str]:
    """The indicators a view reads: its map's, then its headline ones."""
    assert view.indicator is not None
    return [view.indicator, *(view.headline or HEADLINE)]


def _registry() -> set[str] | None:
    """The indicator codes of the registry; None where it cannot be read here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return None  # inside the event loop: no synchronous query
    try:
        known = set(Indicator.objects.values_list("code", flat=True))
    except (DatabaseError, RuntimeError):  # no database (yet), or none allowed here
        return None
    return known or None


def check(view: ViewSpec) -> None:
    """An indicators view names its indicator, and only indicators of the registry."""
    if view.indicator is None:
        raise ValueError("an indicators view needs `indicator:` (an indicator code, e.g. grdp)")
    known = _registry()
    if known is None:
        return
    for code in codes(view):
        if code not in known:
            raise ValueError(
                f"unknown indicator {code!r}; the registry has {', '.join(sorted(known))}"
            )


def complete(view: ViewSpec) -> dict[str, Any]:
    """The view's indicator map among its layers (when it lists them), the default headline."""
    out: dict[str, Any] = {"headline": list(view.headline or HEADLINE)}
    slug = f"ind_{view.indicator}"[:63]  # `maps.slug`
    if view.layers is not None and slug not in view.layers:
        out["layers"] = [*view.layers, slug]
    return out
