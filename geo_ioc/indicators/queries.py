"""The control room's KPIs: the parts the domain apps contribute, and shared hourly series.

Each part (`geo_ioc.indicators.parts`) comes from a handful of grouped queries of its app (no
per-row work): incidents and alerts by status (`operations.kpis`), cameras by status
(`cameras.kpis`), station AQI from the stored latest value and the trigger-kept hourly means
(`sensors.kpis`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from geo_ioc.indicators import schemas
from geo_ioc.indicators.parts import parts
from geo_ioc.sensors import queries as sensor_queries

HOUR = timedelta(hours=1)
INCIDENTS, STATIONS = "incidents", "env_stations"  # the layers the time slider replays


def hours_ending(now: datetime, hours: int) -> list[datetime]:
    """The starts of the last `hours` UTC hours, the current (partial) hour last."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [end - (hours - 1 - i) * HOUR for i in range(hours)]


def aqi_series(
    station_ids: Iterable[int], buckets: list[datetime]
) -> dict[int, list[schemas.HourAqi]]:
    """Hourly VN_AQI (NowCast) of each station over the buckets, from one read of hourly means."""
    ids = list(station_ids)
    if not ids:
        return {}
    means = sensor_queries.hourly_means(ids, buckets[0] - 12 * HOUR, buckets[-1])
    out: dict[int, list[schemas.HourAqi]] = {}
    for sid in ids:
        series = []
        for hour in buckets:
            value = sensor_queries.aqi_at(means.get(sid, {}), hour)
            series.append(
                schemas.HourAqi(
                    hour=hour.isoformat(),
                    aqi=value.value if value else None,
                    colour=value.band.hex if value else None,
                )
            )
        out[sid] = series
    return out


def indicators(visible: set[str], now: datetime, hours: int) -> schemas.Indicators:
    """The KPI strip; a part the caller may not see (its layer is hidden to them) is null."""
    found = {
        part.key: part.compute(now, hours) if part.layer in visible else None for part in parts()
    }
    return schemas.Indicators(time=now.isoformat(), hours=hours, **found)
