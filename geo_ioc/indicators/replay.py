"""What the time slider replays: incidents open during the window and hourly station AQI."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.db.models.functions import Coalesce

from geo_ioc.indicators import schemas
from geo_ioc.indicators.queries import aqi_series, hours_ending
from geo_ioc.operations.models import Incident
from geo_ioc.sensors.models import Station

MAX_INCIDENTS = 5000


def replay_incidents(start: datetime, end: datetime) -> list[schemas.ReplayIncident]:
    """Incidents reported before `end` and not yet resolved or closed at `start`, oldest first."""
    qs = (
        Incident.objects.annotate(ended=Coalesce("resolved_at", "closed_at"))
        .filter(Q(ended__isnull=True) | Q(ended__gte=start), reported_at__lte=end)
        .order_by("reported_at", "id")[:MAX_INCIDENTS]
    )
    return [
        schemas.ReplayIncident(
            id=i.pk,
            code=i.code,
            type=i.type,
            severity=i.severity,
            status=i.status,
            lon=i.geom.x,
            lat=i.geom.y,
            reported_at=i.reported_at.isoformat(),
            ended_at=i.ended.isoformat() if i.ended else None,  # type: ignore[attr-defined]
        )
        for i in qs
    ]


def replay_stations(buckets: list[datetime]) -> list[schemas.ReplayStation]:
    """Each air station's hourly VN_AQI over the buckets."""
    stations = list(Station.objects.filter(kind=Station.Kind.AIR).order_by("code"))
    series = aqi_series([s.pk for s in stations], buckets)
    return [
        schemas.ReplayStation(
            code=s.code, name=s.name, lon=s.geom.x, lat=s.geom.y, series=series[s.pk]
        )
        for s in stations
    ]


def timeline(
    now: datetime, hours: int, with_incidents: bool, with_stations: bool
) -> schemas.Timeline:
    """The replay of the last `hours` hours up to now; parts the caller may not see are null."""
    buckets = hours_ending(now, hours)
    start = buckets[0]
    return schemas.Timeline(
        start=start.isoformat(),
        end=now.isoformat(),
        hours=hours,
        incidents=replay_incidents(start, now) if with_incidents else None,
        stations=replay_stations(buckets) if with_stations else None,
    )
