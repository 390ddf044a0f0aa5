"""Fields of view on the map: each camera's sector cut by buildings, and what no camera sees.

The SQL is in `sql/fov.sql` (the visibility polygon) and `sql/coverage_report.sql`; the layers
they read (buildings, roads, admin units, schools, markets) are found through the catalogue, so
a city whose tables live elsewhere needs no change here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import connection
from psycopg import sql

from layers.models import Layer
from layers.sources import source_for

_SQL = resources.files("geo_ioc.cameras.sql")
# A relation with no rows, for a city without a buildings layer: the sectors are then uncut.
_NO_BUILDINGS = sql.SQL("(SELECT NULL::geometry(Geometry, 4326) AS geom WHERE false)")

OCCLUDERS = "buildings"
REPORT_LAYERS = {
    "units": "admin_units",
    "roads": "roads",
    "schools": "poi_education",
    "markets": "poi_markets",
}


def _relation(slug: str) -> tuple[sql.Composable, sql.Composable] | None:
    layer = Layer.objects.filter(slug=slug).first()
    if layer is None:
        return None
    rel = source_for(layer).relation()
    return rel.relation, sql.Identifier(rel.geom_column)


def _render(name: str, parts: dict[str, sql.Composable]) -> str:
    template = sql.SQL(_SQL.joinpath(name).read_text("utf-8"))  # type: ignore[arg-type]
    with connection.cursor() as cur:
        return template.format(**parts).as_string(cur.connection)


def refresh_fov(ids: list[int] | None = None) -> list[int]:
    """Compute the fields of view of these cameras (all when None); return those that changed."""
    found = _relation(OCCLUDERS)
    buildings, geom = found if found else (_NO_BUILDINGS, sql.Identifier("geom"))
    statement = _render("fov.sql", {"buildings": buildings, "building_geom": geom})
    with connection.cursor() as cur:
        cur.execute(statement, {"ids": ids})
        return [int(row[0]) for row in cur.fetchall()]


@dataclass(frozen=True)
class CommuneCoverage:
    """One commune's road length, the part no camera sees, and the places outside every view."""

    code: str
    name: str
    road_m: float
    uncovered_m: float
    places: dict[str, dict[str, int]]
    unseen: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """JSON shape of the report row."""
        share = self.uncovered_m / self.road_m if self.road_m else None
        return {
            "code": self.code,
            "name": self.name,
            "road_m": round(self.road_m, 1),
            "uncovered_road_m": round(self.uncovered_m, 1),
            "uncovered_share": None if share is None else round(share, 4),
            "places": self.places,
            "uncovered_places": self.unseen,
        }


class MissingLayer(LookupError):
    """A layer the report reads is not in the catalogue."""


def report(*, working: bool = False) -> list[CommuneCoverage]:
    """Per commune, the road length and places no camera sees (`working`: live cameras only)."""
    parts: dict[str, sql.Composable] = {}
    for key, slug in REPORT_LAYERS.items():
        found = _relation(slug)
        if found is None:
            raise MissingLayer(slug)
        parts[key], parts[f"{key}_geom"] = found
    with connection.cursor() as cur:
        cur.execute(_render("coverage_report.sql", parts), {"working": working})
        return [
            CommuneCoverage(
                str(code), str(name), float(road), float(unc), _json(places), _json(unseen)
            )
            for code, name, road, unc, places, unseen in cur.fetchall()
        ]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
