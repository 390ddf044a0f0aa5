"""Routing in data: the administrative unit at a point, and the unit responsible there.

The areas are a catalogue layer (by default the demo's `admin_units`, wards and communes first,
then districts), named by settings so that routing can be pointed at another boundary set
(the 2025 units) without code: `GEO_IOC_REPORTS_AREA_LAYER`, `GEO_IOC_REPORTS_AREA_LEVELS`.
A point in no area is outside the province.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from psycopg import sql

from geo_ioc.reports.errors import OutsideProvince
from geo_ioc.reports.models import Category, Route, Unit
from layers.models import Layer
from layers.sources import source_for

SQL_DIR = Path(__file__).with_name("sql")


@cache
def read_sql(name: str) -> str:
    """A query of the app's `sql/` folder."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Area:
    """An administrative unit of the area layer."""

    code: str
    name: str
    level: int


def area_at(lon: float, lat: float) -> Area | None:
    """The deepest administrative unit containing the point, or None outside the province."""
    layer = Layer.objects.filter(slug=settings.GEO_IOC_REPORTS_AREA_LAYER).first()
    if layer is None:
        return None
    rel = source_for(layer).relation()
    levels = settings.GEO_IOC_REPORTS_AREA_LEVELS
    query = sql.SQL(read_sql("area_at.sql")).format(
        relation=rel.relation,
        geom=sql.Identifier(rel.geom_column),
        levels=sql.SQL("AND level::int = ANY(%(levels)s)") if levels else sql.SQL(""),
    )
    with connection.cursor() as cur:
        cur.execute(
            query.as_string(cur.connection), {"lon": lon, "lat": lat, "levels": list(levels)}
        )
        row = cur.fetchone()
    return Area(str(row[0]), str(row[1]), int(row[2])) if row else None


def require_area(lon: float, lat: float) -> Area:
    """The area at a point; outside the province is a clear refusal."""
    area = area_at(lon, lat)
    if area is None:
        raise OutsideProvince(
            "Vị trí nằm ngoài địa bàn tỉnh / The location is outside the province.",
            field="lat",
        )
    return area


def responsible_unit(category: Category, area_code: str) -> Unit | None:
    """The unit for a category in an area: its route there, else the category's default."""
    route = Route.objects.filter(category=category, area_code=area_code).select_related("unit")
    found = route.first()
    return found.unit if found is not None else category.default_unit
