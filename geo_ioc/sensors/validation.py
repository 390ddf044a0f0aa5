"""Checks and unit conversion of incoming readings, row by row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

# Pollutant → (canonical unit, {accepted unit: factor to canonical}, plausible max).
PARAMETERS: dict[str, tuple[str, dict[str, float], float]] = {
    "pm25": ("ug/m3", {"ug/m3": 1.0, "µg/m³": 1.0, "µg/m3": 1.0}, 1500.0),
    "pm10": ("ug/m3", {"ug/m3": 1.0, "µg/m³": 1.0, "µg/m3": 1.0}, 3000.0),
    "o3": ("ug/m3", {"ug/m3": 1.0, "µg/m³": 1.0, "µg/m3": 1.0}, 3000.0),
    "no2": ("ug/m3", {"ug/m3": 1.0, "µg/m³": 1.0, "µg/m3": 1.0}, 5000.0),
    "so2": ("ug/m3", {"ug/m3": 1.0, "µg/m³": 1.0, "µg/m3": 1.0}, 5000.0),
    # CO is often reported in mg/m³; the breakpoints are in µg/m³.
    "co": (
        "ug/m3",
        {"ug/m3": 1.0, "µg/m³": 1.0, "µg/m3": 1.0, "mg/m3": 1000.0, "mg/m³": 1000.0},
        200_000.0,
    ),
    "ph": ("pH", {"pH": 1.0, "ph": 1.0}, 14.0),
    "do": ("mg/L", {"mg/L": 1.0, "mg/l": 1.0}, 25.0),
    "turbidity": ("NTU", {"NTU": 1.0, "ntu": 1.0}, 4000.0),
    "temperature": ("degC", {"degC": 1.0, "°C": 1.0, "C": 1.0}, 60.0),
}
FUTURE_SKEW = timedelta(minutes=5)
OLDEST = timedelta(days=366)


@dataclass(frozen=True)
class CleanReading:
    """A reading that passed every check, in its canonical unit."""

    station: str
    time: datetime
    pollutant: str
    value: float
    unit: str


def _time(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise ValueError("time must be an ISO 8601 string")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"time {raw!r} is not ISO 8601") from None
    if value.tzinfo is None:
        raise ValueError("time needs a time zone (e.g. +07:00 or Z)")
    now = timezone.now()
    if value > now + FUTURE_SKEW:
        raise ValueError("time is in the future")
    if value < now - OLDEST:
        raise ValueError("time is more than a year old")
    return value


def clean(raw: Any, station: str | None = None) -> CleanReading:
    """One reading checked and converted; ValueError says what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("a reading is a JSON object")
    given = raw.get("station")
    if station and given is not None and given != station:
        raise ValueError(f"station {given!r} does not match the topic's station {station!r}")
    code = station or given
    if not isinstance(code, str) or not code:
        raise ValueError("station code is missing")
    pollutant = str(raw.get("pollutant", "")).lower().replace(".", "")
    if pollutant not in PARAMETERS:
        raise ValueError(
            f"unknown pollutant {raw.get('pollutant')!r}; known: {', '.join(PARAMETERS)}"
        )
    canonical, units, plausible = PARAMETERS[pollutant]
    unit = raw.get("unit", canonical)
    if not isinstance(unit, str) or unit not in units:
        raise ValueError(f"unit {unit!r} does not fit {pollutant}; use one of {', '.join(units)}")
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("value must be a number")
    converted = float(value) * units[unit]
    if not 0 <= converted <= plausible:
        raise ValueError(f"{pollutant} {value} {unit} is outside 0…{plausible:g} {canonical}")
    return CleanReading(code, _time(raw.get("time")), pollutant, converted, canonical)
