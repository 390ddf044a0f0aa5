"""Alert rules on stations: an AQI threshold (run on each reading) and silence (run by a sweep)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from django.contrib.gis.geos import Point
from django.utils import timezone

from geo_ioc.operations.models import AlertRule
from geo_ioc.operations.rules import AqiThreshold, Silent, fire, open_alert, parse_params, resolve


class StationLike(Protocol):
    """What the rules read of a station (the sensors app's model fits)."""

    code: str
    name: str
    kind: str
    aqi: int | None
    aqi_dominant: str
    last_reading_at: datetime | None
    geom: Point


def _applies(codes: list[str], station: StationLike) -> bool:
    return not codes or station.code in codes


def _threshold(rule: AlertRule, p: AqiThreshold, station: StationLike) -> None:
    key = f"station:{station.code}"
    holds = station.kind == "air" and station.aqi is not None and station.aqi >= p.aqi_min
    alert = open_alert(rule, key)
    if holds and alert is None:
        fire(
            rule,
            key,
            None,
            headline=f"{rule.event}: VN_AQI {station.aqi} tại {station.name}",
            description=f"Chất ô nhiễm chính: {station.aqi_dominant or '—'}.",
            area_desc=f"{p.radius_m / 1000:g} km quanh {station.name}",
            area=station.geom,
            circle_radius_m=p.radius_m,
        )
    elif not holds and alert is not None:
        resolve(alert)


def _silent(rule: AlertRule, p: Silent, station: StationLike, now: datetime) -> None:
    key = f"silent:{station.code}"
    last = station.last_reading_at
    holds = last is None or now - last > timedelta(minutes=p.minutes)
    alert = open_alert(rule, key)
    if holds and alert is None:
        since = f"từ {last:%H:%M %d/%m}" if last else "chưa từng có số liệu"
        fire(
            rule,
            key,
            None,
            headline=f"{rule.event}: {station.name} không gửi số liệu ({since})",
            area_desc=station.name,
            area=station.geom,
            circle_radius_m=500.0,
        )
    elif not holds and alert is not None:
        resolve(alert)


def evaluate_stations(stations: Iterable[StationLike], *, sweep: bool = False) -> None:
    """Run the station rules (inside the caller's transaction).

    Readings run the threshold rules and end silences; `sweep` also finds new silences, which
    no reading can reveal.
    """
    now = timezone.now()
    rules = list(
        AlertRule.objects.filter(
            enabled=True, kind__in=[AlertRule.Kind.AQI_THRESHOLD, AlertRule.Kind.SILENT]
        ).order_by("pk")
    )
    for station in stations:
        for rule in rules:
            params = parse_params(rule)
            if isinstance(params, AqiThreshold) and _applies(params.stations, station):
                _threshold(rule, params, station)
            elif isinstance(params, Silent) and _applies(params.stations, station):
                last = station.last_reading_at
                fresh = last is not None and now - last <= timedelta(minutes=params.minutes)
                if sweep or fresh:
                    _silent(rule, params, station, now)
