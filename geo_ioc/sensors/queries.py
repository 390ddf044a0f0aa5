"""Reads: hourly means, AQI per station and hour, stations as GeoJSON with their freshness."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from geo_ioc.sensors import aqi
from geo_ioc.sensors.models import Station

HOUR = timedelta(hours=1)
# A station is stale when it missed this many expected reports.
STALE_AFTER_CADENCES = 2

HourlyMeans = dict[int, dict[str, dict[datetime, float]]]  # station → pollutant → hour → mean


def hourly_means(station_ids: list[int], start: datetime, end: datetime) -> HourlyMeans:
    """Hourly mean of each pollutant per station for hours in [start, end]."""
    out: HourlyMeans = defaultdict(lambda: defaultdict(dict))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT station_id, pollutant, date_trunc('hour', time) AS hour, avg(value)"
            " FROM sensors_reading WHERE station_id = ANY(%s) AND time >= %s AND time < %s"
            " GROUP BY 1, 2, 3",
            [station_ids, start, end + HOUR],
        )
        for station_id, pollutant, hour, mean in cur.fetchall():
            out[station_id][pollutant][hour] = float(mean)
    return out


def aqi_at(means: dict[str, dict[datetime, float]], hour: datetime) -> aqi.Aqi | None:
    """The hourly VN_AQI for `hour` (NowCast over the 12 hours ending there)."""
    series = {
        p: [by_hour.get(hour - i * HOUR) for i in range(12)]
        for p, by_hour in means.items()
        if p in aqi.POLLUTANTS
    }
    return aqi.hourly_aqi(series)


def latest_aqi(station_ids: list[int]) -> dict[int, tuple[datetime, aqi.Aqi | None]]:
    """Each station's AQI at the hour of its newest reading."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT station_id, date_trunc('hour', max(time)) FROM sensors_reading"
            " WHERE station_id = ANY(%s) GROUP BY 1",
            [station_ids],
        )
        newest = dict(cur.fetchall())
    if not newest:
        return {}
    means = hourly_means(list(newest), min(newest.values()) - 12 * HOUR, max(newest.values()))
    return {sid: (hour, aqi_at(means[sid], hour)) for sid, hour in newest.items()}


def aqi_series(station: Station, hours: int) -> list[dict[str, Any]]:
    """Hourly AQI of the last `hours` hours up to the station's newest reading."""
    end = (station.last_reading_at or timezone.now()).replace(minute=0, second=0, microsecond=0)
    start = end - (hours - 1) * HOUR
    means = hourly_means([station.pk], start - 12 * HOUR, end).get(station.pk, {})
    out = []
    for i in range(hours):
        hour = start + i * HOUR
        value = aqi_at(means, hour)
        out.append(
            {
                "hour": hour.isoformat(),
                "aqi": value.value if value else None,
                "band": value.band.en.lower().replace(" ", "_") if value else None,
                "colour": value.band.hex if value else None,
                "dominant": value.dominant if value else None,
            }
        )
    return out


def is_stale(station: Station, now: datetime | None = None) -> bool:
    """Whether the station missed its expected reports (a silent station is not good air)."""
    if station.last_reading_at is None:
        return True
    limit = timedelta(minutes=station.cadence_minutes * STALE_AFTER_CADENCES)
    return (now or timezone.now()) - station.last_reading_at > limit


def station_feature(station: Station, now: datetime | None = None) -> dict[str, Any]:
    """A station as a GeoJSON Feature with its latest AQI and freshness."""
    band = aqi.band(station.aqi) if station.aqi is not None else None
    return {
        "type": "Feature",
        "id": station.pk,
        "geometry": {"type": "Point", "coordinates": [station.geom.x, station.geom.y]},
        "properties": {
            "code": station.code,
            "name": station.name,
            "kind": station.kind,
            "place": station.place,
            "aqi": station.aqi,
            "aqi_hour": station.aqi_hour.isoformat() if station.aqi_hour else None,
            "band": {"vi": band.vi, "en": band.en, "colour": band.hex} if band else None,
            "dominant_pollutant": station.aqi_dominant or None,
            "last_reading_at": (
                station.last_reading_at.isoformat() if station.last_reading_at else None
            ),
            "cadence_minutes": station.cadence_minutes,
            "stale": is_stale(station, now),
            "synthetic": station.synthetic,
        },
    }
