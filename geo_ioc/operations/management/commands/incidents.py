"""`geo-ioc incidents simulate`: report random incidents on the real roads, to keep the demo alive.

They go through the same service as an operator's report, so events are published and alert
rules run; each is marked synthetic.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from psycopg import sql

from geo_ioc.operations.models import Incident
from geo_ioc.operations.schemas import IncidentCreate
from geo_ioc.operations.services import create_incident
from geo_ioc.operations.simulate import (
    INCIDENT_DESCRIPTIONS,
    INCIDENT_TYPE_WEIGHTS,
    INCIDENT_TYPES,
    street,
)

# A random point on a random road, longer roads more likely (the same idea as the demo seed).
RANDOM_ROAD_POINT = """
SELECT ST_X(p), ST_Y(p), name FROM (
  SELECT ST_LineInterpolatePoint(ST_GeometryN(geom, 1), random()) AS p, name FROM {roads}
  ORDER BY random() * ST_Length(geom::geography) DESC LIMIT 1) s
"""


class Command(BaseCommand):
    help = "Simulate incident reports on the city's roads (through the normal API service)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["simulate"])
        parser.add_argument("--every", type=float, default=300.0, help="seconds between reports")
        parser.add_argument("--count", type=int, default=0, help="stop after N (0: never)")
        parser.add_argument("--seed", type=int, help="random seed (default: unpredictable)")

    def handle(self, *args: Any, **opts: Any) -> None:
        rng = np.random.default_rng(opts["seed"])
        roads = sql.Identifier(settings.GEO_IOC_LAYER_SCHEMA, "roads")
        query = sql.SQL(RANDOM_ROAD_POINT).format(roads=roads)
        n = 0
        while not opts["count"] or n < opts["count"]:
            with connection.cursor() as cur:
                cur.execute(query.as_string(cur.connection))
                row = cur.fetchone()
            if row is None:
                raise CommandError("no roads loaded: run `geo-ioc demo load` first")
            lon, lat, name = row
            kind = str(rng.choice(INCIDENT_TYPES, p=INCIDENT_TYPE_WEIGHTS))
            data = IncidentCreate(
                type=Incident.Type(kind),
                severity=int(rng.choice([1, 2, 3, 4], p=[0.35, 0.35, 0.2, 0.1])),
                lon=float(lon),
                lat=float(lat),
                description=INCIDENT_DESCRIPTIONS[kind].format(road=street(name)),
                source=Incident.Source.SENSOR,
                road_name=name or "",
            )
            incident = create_incident(data, AnonymousUser(), synthetic=True)
            n += 1
            self.stdout.write(f"{incident.code}: {kind} ({data.severity}) at {lon:.5f},{lat:.5f}")
            if not opts["count"] or n < opts["count"]:
                time.sleep(opts["every"])
