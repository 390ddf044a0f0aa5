"""Indicators of reports, and the overdue reports per commune as a choropleth.

Received, resolved on time, overdue, median time to answer; by unit, category or commune.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from psycopg import sql
from pydantic import BaseModel

from geo_ioc.indicators.parts import KpiPart
from geo_ioc.reports.clock import LOCAL
from geo_ioc.reports.routing import read_sql
from layers.models import Layer
from layers.sources import source_for

GROUPS = {
    "total": sql.SQL("'total'"),
    "unit": sql.SQL("coalesce(u.code, '')"),
    "category": sql.SQL("c.code"),
    "area": sql.SQL("r.area_code"),
}


class Figures(BaseModel):
    """The indicators of one group."""

    key: str
    received: int
    resolved: int
    resolved_on_time: int
    open: int
    overdue: int
    median_hours_to_answer: float | None


def figures(group: str, since: datetime, until: datetime) -> list[Figures]:
    """Indicators per group (`total`, `unit`, `category`, `area`) of a window's reports."""
    query = sql.SQL(read_sql("stats.sql")).format(group=GROUPS[group])
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection), {"since": since, "until": until})
        rows = cur.fetchall()
    return [
        Figures(
            key=k,
            received=a,
            resolved=b,
            resolved_on_time=c,
            open=d,
            overdue=e,
            median_hours_to_answer=round(float(m), 2) if m is not None else None,
        )
        for k, a, b, c, d, e, m in rows
    ]


def overdue_by_area() -> dict[str, Any]:
    """Areas (the routing level) with their open and overdue reports, as GeoJSON."""
    layer = Layer.objects.get(slug=settings.GEO_IOC_REPORTS_AREA_LAYER)
    rel = source_for(layer).relation()
    level = settings.GEO_IOC_REPORTS_AREA_LEVELS[0]
    query = sql.SQL(read_sql("overdue_by_area.sql")).format(
        relation=rel.relation, geom=sql.Identifier("a", rel.geom_column)
    )
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection), {"level": level})
        rows = cur.fetchall()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": code,
                "geometry": geom if isinstance(geom, dict) else json.loads(geom),
                "properties": {"code": code, "name": name, "open": n_open, "overdue": n_over},
            }
            for code, name, geom, n_open, n_over in rows
        ],
    }


def rebuild_areas() -> int:
    """Copy the routing level's areas into the choropleth's table with their counts now.

    Run by `geo-ioc reports seed` (and again after the routing layer's boundaries change);
    from then on the trigger keeps the counts. Returns the number of areas (0 without the layer).
    """
    layer = Layer.objects.filter(slug=settings.GEO_IOC_REPORTS_AREA_LAYER).first()
    if layer is None:
        return 0
    rel = source_for(layer).relation()
    query = sql.SQL(read_sql("area_rebuild.sql")).format(
        relation=rel.relation, geom=sql.Identifier("a", rel.geom_column)
    )
    with connection.cursor() as cur:
        cur.execute(
            query.as_string(cur.connection), {"level": settings.GEO_IOC_REPORTS_AREA_LEVELS[0]}
        )
        cur.execute("SELECT count(*) FROM reports_areaload")
        row = cur.fetchone()
    return int(row[0]) if row else 0


class ReportsKpi(BaseModel):
    """The reports' part of the KPI strip."""

    received: int
    received_today: int
    open: int
    overdue: int
    resolved_on_time_pct: float | None
    median_hours_to_answer: float | None


class ReportsPart(KpiPart):
    """Citizen reports received in the window, open, overdue, on time, time to answer."""

    key = "reports"
    layer = "reports"

    def compute(self, now: datetime, hours: int) -> ReportsKpi:
        """Reports received in the last `hours` and today; open and overdue of all."""
        midnight = datetime.combine(now.astimezone(LOCAL).date(), time(), LOCAL)
        today = figures("total", midnight, now + timedelta(seconds=1))
        window = figures("total", now - timedelta(hours=hours), now)
        everything = figures("total", datetime(1970, 1, 1, tzinfo=now.tzinfo), now)
        w = window[0] if window else None
        a = everything[0] if everything else None
        on_time = (
            round(100 * w.resolved_on_time / w.resolved, 1)
            if w is not None and w.resolved
            else None
        )
        return ReportsKpi(
            received=w.received if w else 0,
            received_today=today[0].received if today else 0,
            open=a.open if a else 0,
            overdue=a.overdue if a else 0,
            resolved_on_time_pct=on_time,
            median_hours_to_answer=w.median_hours_to_answer if w else None,
        )
