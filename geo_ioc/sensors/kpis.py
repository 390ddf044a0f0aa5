"""The sensors app's part of the KPI strip: air stations and the worst of them (`/indicators`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, Sum

from geo_ioc.indicators import schemas
from geo_ioc.indicators.parts import KpiPart
from geo_ioc.indicators.queries import aqi_series, hours_ending
from geo_ioc.sensors import aqi
from geo_ioc.sensors import queries as sensor_queries
from geo_ioc.sensors.models import HourlyMean, Station

HOUR = timedelta(hours=1)


def station_summary(station: Station) -> schemas.Station | None:
    """A station with its stored latest AQI (None without one)."""
    if station.aqi is None:
        return None
    b = aqi.band(station.aqi)
    return schemas.Station(
        code=station.code,
        name=station.name,
        aqi=station.aqi,
        band=schemas.BandName(vi=b.vi, en=b.en, colour=b.hex),
        dominant=station.aqi_dominant or None,
        hour=station.aqi_hour.isoformat() if station.aqi_hour else None,
        lon=station.geom.x,
        lat=station.geom.y,
    )


def air_stats(now: datetime, hours: int) -> schemas.Air:
    """Air stations: how many report, the worst one now, its last hours and the reading flow."""
    air = list(Station.objects.filter(kind=Station.Kind.AIR))
    fresh = [s for s in air if not sensor_queries.is_stale(s, now)]
    ranked = sorted((s for s in fresh if s.aqi is not None), key=lambda s: (-(s.aqi or 0), s.code))
    worst = ranked[0] if ranked else None
    buckets = hours_ending(now, hours)
    this_hour = buckets[-1]
    flow = HourlyMean.objects.filter(
        station__in=air, hour__gte=this_hour - HOUR, hour__lte=this_hour
    ).aggregate(
        last=Sum("count", filter=Q(hour=this_hour - HOUR)),
        current=Sum("count", filter=Q(hour=this_hour)),
    )
    return schemas.Air(
        stations=len(air),
        reporting=len(fresh),
        stale=len(air) - len(fresh),
        worst=station_summary(worst) if worst else None,
        readings_last_hour=flow["last"] or 0,
        readings_this_hour=flow["current"] or 0,
        per_hour=aqi_series([worst.pk], buckets)[worst.pk] if worst else [],
    )


class AirPart(KpiPart):
    """Air stations: reporting, stale, the worst one and its last hours."""

    key = "air"
    layer = "env_stations"

    def compute(self, now: datetime, hours: int) -> schemas.Air:
        """Air figures."""
        return air_stats(now, hours)
