"""Reads: hourly means, AQI per station and hour, stations as GeoJSON with their freshness."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from geo_ioc.sensors import aqi
from geo_ioc.sensors.models import Reading, Station

HOUR = timedelta(hours=1)
# A station is stale when it missed this many expected reports.
STALE_AFTER_CADENCES = 2

HourlyMeans = dict[int, dict[str, dict[datetime, float]]]  # station → pollutant → hour → mean


def hourly_means(station_ids: list[int], start: datetime, end: datetime) -> HourlyMeans:
    """Hourly mean of each pollutant per station for hours in [start, end]."""
    out: HourlyMeans = defaultdict(lambda: defaultdict(dict))
    with connection.cursor() as cur:
        # The trigger-kept sums (sensors_hourlymean), not the readings: a dozen rows per hour.
        cur.execute(
            "SELECT station_id, pollutant, hour, total / count FROM sensors_hourlymean"
            " WHERE station_id = ANY(%s) AND hour >= %s AND hour < %s",
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
            "SELECT station_id, max(hour) FROM sensors_hourlymean"
            " WHERE station_id = ANY(%s) GROUP BY 1",
            [station_ids],
        )
        newest = dict(cur.fetchall())
    if not newest:
        return {}
    means = hourly_means(list(newest), min(newest.values()) - 12 * HOUR, max(newest.values()))
    return {sid: (hour, aqi_at(means[sid], hour)) for sid, hour in newest.items()}


def _point(value: aqi.Aqi | None) -> dict[str, Any]:
    """The AQI fields of one point of a series (all None without an index)."""
    return {
        "aqi": value.value if value else None,
        "band": value.band.en.lower().replace(" ", "_") if value else None,
        "colour": value.band.hex if value else None,
        "dominant": value.dominant if value else None,
    }


def aqi_series(station: Station, hours: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Hourly AQI of the last `hours` hours up to now; hours without data have no index.

    The series ends at the current hour, not at the newest reading: a silent station shows gaps.
    """
    end = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    start = end - (hours - 1) * HOUR
    means = hourly_means([station.pk], start - 12 * HOUR, end).get(station.pk, {})
    return [
        {"hour": (start + i * HOUR).isoformat(), **_point(aqi_at(means, start + i * HOUR))}
        for i in range(hours)
    ]


def daily_series(station: Station, days: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Daily AQI of the last `days` local days, today included (so far).

    Days are local (settings.TIME_ZONE): PM is the mean of the day's hourly means, O3 the larger of
    the 1-hour and 8-hour indices, SO2, NO2 and CO the highest hourly mean.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    today = (now or timezone.now()).astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(today + timedelta(days=1), time.min, tz) - HOUR
    means = hourly_means([station.pk], start, end).get(station.pk, {})
    by_day: dict[date, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for pollutant, by_hour in means.items():
        if pollutant in aqi.POLLUTANTS:
            for hour in sorted(by_hour):
                by_day[hour.astimezone(tz).date()][pollutant].append(by_hour[hour])
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        series = by_day.get(day, {})
        hours_pm = max((len(series.get(p, [])) for p in ("pm25", "pm10")), default=0)
        value = aqi.daily_aqi(series) if series else None
        out.append({"date": day.isoformat(), "hours": hours_pm, **_point(value)})
    return out


def readings(
    station: Station,
    pollutant: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """A station's readings, newest first, optionally of one pollutant and in [since, until)."""
    qs = Reading.objects.filter(station=station)
    if pollutant:
        qs = qs.filter(pollutant=pollutant)
    if since:
        qs = qs.filter(time__gte=since)
    if until:
        qs = qs.filter(time__lt=until)
    return [
        {"time": r.time.isoformat(), "pollutant": r.pollutant, "value": r.value, "unit": r.unit}
        for r in qs.order_by("-time", "pollutant")[:limit]
    ]


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
