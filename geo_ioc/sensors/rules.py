"""The alert-rule kinds of the sensors: an AQI threshold and silence.

Both watch the stations layer: a change to a station (a reading updates its AQI and freshness)
runs them; silence is also swept, since no change reveals that a station stopped reporting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from django.contrib.gis.geos import Point
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from geo_ioc.operations.models import Alert, AlertRule
from geo_ioc.operations.rulekinds import Changed, RuleKind, Rules
from geo_ioc.operations.rules import fire, resolve
from geo_ioc.sensors.freshness import LAYER
from geo_ioc.sensors.models import Station


class AqiThreshold(BaseModel):
    """A station's latest hourly VN_AQI at or above `aqi_min` (evaluated on each reading)."""

    model_config = ConfigDict(extra="forbid")
    aqi_min: int = Field(ge=1, le=500)
    stations: list[str] = Field(default_factory=list, description="codes; empty: all")
    radius_m: float = Field(default=2000, gt=0, le=50_000, description="the area to warn")


class Silent(BaseModel):
    """A station without a reading for `minutes` (found by the sweep, ended by a reading)."""

    model_config = ConfigDict(extra="forbid")
    minutes: int = Field(ge=1, le=7 * 24 * 60)
    stations: list[str] = Field(default_factory=list, description="codes; empty: all")


class StationLike(Protocol):
    """What the rules read of a station (the sensors app's model fits)."""

    code: str
    name: str
    kind: str
    aqi: int | None
    aqi_dominant: str
    last_reading_at: datetime | None
    geom: Point


Open = dict[tuple[int, str], Alert]  # the open alerts of the rules, by (rule id, key)


def _applies(codes: list[str], station: StationLike) -> bool:
    return not codes or station.code in codes


def _threshold(rule: AlertRule, p: AqiThreshold, station: StationLike, open_: Open) -> None:
    key = f"station:{station.code}"
    holds = station.kind == "air" and station.aqi is not None and station.aqi >= p.aqi_min
    alert = open_.get((rule.pk, key))
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


def _silent(rule: AlertRule, p: Silent, station: StationLike, now: datetime, open_: Open) -> None:
    key = f"silent:{station.code}"
    last = station.last_reading_at
    holds = last is None or now - last > timedelta(minutes=p.minutes)
    alert = open_.get((rule.pk, key))
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


def evaluate_stations(
    stations: Iterable[StationLike], rules: Rules, *, sweep: bool = False
) -> None:
    """Run station rules on stations (inside the caller's transaction).

    A change runs the threshold rules and ends silences; `sweep` also finds new silences, which
    no reading can reveal.
    """
    now = timezone.now()
    # The rules' open alerts in one query, not one per station and rule.
    open_: Open = {
        (a.rule_id, a.key): a
        for a in Alert.objects.filter(rule__in=[r for r, _ in rules])
        .exclude(status=Alert.Status.RESOLVED)
        .select_related("rule")
    }
    for station in stations:
        for rule, params in rules:
            if isinstance(params, AqiThreshold) and _applies(params.stations, station):
                _threshold(rule, params, station, open_)
            elif isinstance(params, Silent) and _applies(params.stations, station):
                last = station.last_reading_at
                fresh = last is not None and now - last <= timedelta(minutes=params.minutes)
                if sweep or fresh:
                    _silent(rule, params, station, now, open_)


def _changed_stations(rules: Rules, changed: Changed) -> None:
    stations = Station.objects.in_bulk(list(changed))
    evaluate_stations([stations[pk] for pk in sorted(stations)], rules)


def _sweep(rules: Rules) -> None:
    evaluate_stations(Station.objects.order_by("pk"), rules, sweep=True)


AQI_THRESHOLD = RuleKind(
    name="aqi_threshold",
    label="Ngưỡng chất lượng không khí / Air quality threshold",
    params=AqiThreshold,
    layer=LAYER,
    evaluate=_changed_stations,
)
SILENT = RuleKind(
    name="silent",
    label="Trạm mất tín hiệu / Silent station",
    params=Silent,
    layer=LAYER,
    evaluate=_changed_stations,
    sweep=_sweep,
)
