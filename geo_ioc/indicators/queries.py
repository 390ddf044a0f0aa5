"""The control room's KPIs, computed by the server from the domain tables.

Every figure comes from a handful of grouped queries (no per-row work): incidents by status and
severity, alerts by status, cameras by status, station AQI from the stored latest value and the
trigger-kept hourly means of `geo_ioc.sensors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncHour

from geo_ioc.cameras.models import Camera
from geo_ioc.indicators import schemas
from geo_ioc.operations.models import Alert, Incident
from geo_ioc.sensors import aqi
from geo_ioc.sensors import queries as sensor_queries
from geo_ioc.sensors.models import HourlyMean, Station

HOUR = timedelta(hours=1)
OPEN = (Incident.Status.NEW, Incident.Status.ACKNOWLEDGED, Incident.Status.DISPATCHED)
INCIDENTS, ALERTS, STATIONS, CAMERAS = "incidents", "alerts", "env_stations", "cameras"


def hours_ending(now: datetime, hours: int) -> list[datetime]:
    """The starts of the last `hours` UTC hours, the current (partial) hour last."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [end - (hours - 1 - i) * HOUR for i in range(hours)]


def incident_stats(now: datetime, hours: int) -> schemas.Incidents:
    """Open incidents by severity and status; reported and resolved per hour of the window."""
    buckets = hours_ending(now, hours)
    start = buckets[0]
    by_severity = {str(s): 0 for s in range(1, 5)}
    by_status = {str(s): 0 for s in OPEN}
    rows = (
        Incident.objects.filter(status__in=OPEN)
        .values("severity", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        by_severity[str(row["severity"])] += row["n"]
        by_status[row["status"]] += row["n"]
    per_hour = dict.fromkeys(buckets, 0)
    counted = (
        Incident.objects.filter(reported_at__gte=start, reported_at__lte=now)
        .annotate(hour=TruncHour("reported_at", tzinfo=UTC))
        .values("hour")
        .annotate(n=Count("id"))
    )
    for bucket in counted:
        if bucket["hour"] in per_hour:
            per_hour[bucket["hour"]] = bucket["n"]
    to_ack = ExpressionWrapper(
        F("acknowledged_at") - F("reported_at"), output_field=DurationField()
    )
    window = Incident.objects.filter(reported_at__gte=start, reported_at__lte=now).aggregate(
        reported=Count("id"),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        ack=Avg(to_ack, filter=Q(acknowledged_at__isnull=False)),
    )
    ack: timedelta | None = window["ack"]
    return schemas.Incidents(
        open=sum(by_status.values()),
        by_severity=by_severity,
        by_status=by_status,
        reported=window["reported"],
        resolved=window["resolved"],
        minutes_to_acknowledge=round(ack.total_seconds() / 60, 1) if ack is not None else None,
        per_hour=[schemas.HourCount(hour=h.isoformat(), count=n) for h, n in per_hour.items()],
    )


def alert_stats() -> schemas.Alerts:
    """Alerts by status, and when the newest open one was sent."""
    counts = dict(
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    latest = (
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .order_by("-sent")
        .values_list("sent", flat=True)
        .first()
    )
    return schemas.Alerts(
        active=counts.get(Alert.Status.ACTIVE, 0),
        acknowledged=counts.get(Alert.Status.ACKNOWLEDGED, 0),
        latest=latest.isoformat() if latest else None,
    )


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


def camera_stats() -> schemas.Cameras:
    """Cameras by status."""
    counts = dict(
        Camera.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return schemas.Cameras(
        total=sum(counts.values()),
        online=counts.get(Camera.Status.ONLINE, 0),
        offline=counts.get(Camera.Status.OFFLINE, 0),
        maintenance=counts.get(Camera.Status.MAINTENANCE, 0),
    )


def indicators(visible: set[str], now: datetime, hours: int) -> schemas.Indicators:
    """The KPI strip; a part the caller may not see (its layer is hidden to them) is null."""
    return schemas.Indicators(
        time=now.isoformat(),
        hours=hours,
        incidents=incident_stats(now, hours) if INCIDENTS in visible else None,
        alerts=alert_stats() if ALERTS in visible else None,
        air=air_stats(now, hours) if STATIONS in visible else None,
        cameras=camera_stats() if CAMERAS in visible else None,
    )
