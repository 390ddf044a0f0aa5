"""VN_AQI (Decision 1459/QĐ-TCMT, 2019): sub-indices, NowCast, hourly and daily AQI, bands.

Pure functions on concentrations in µg/m³; no database. Breakpoints and bands are the decision's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)
# Concentration breakpoints (µg/m³) for each level in LEVELS; None where the table has none.
BREAKPOINTS: dict[str, tuple[float | None, ...]] = {
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 120, 170, 210, 400, None, None),
    "co": (0, 10000, 30000, 45000, 60000, 90000, 120000, 150000),
    "so2": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "no2": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
    "pm25": (0, 25, 50, 80, 150, 250, 350, 500),
}
POLLUTANTS = ("pm25", "pm10", "o3", "no2", "so2", "co")


@dataclass(frozen=True)
class Band:
    """One of the six colour bands."""

    low: int
    high: int
    vi: str
    en: str
    rgb: tuple[int, int, int]

    @property
    def hex(self) -> str:
        """The colour as #rrggbb."""
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


BANDS = (
    Band(0, 50, "Tốt", "Good", (0, 228, 0)),
    Band(51, 100, "Trung bình", "Moderate", (255, 255, 0)),
    Band(101, 150, "Kém", "Poor", (255, 126, 0)),
    Band(151, 200, "Xấu", "Bad", (255, 0, 0)),
    Band(201, 300, "Rất xấu", "Very bad", (143, 63, 151)),
    Band(301, 500, "Nguy hại", "Hazardous", (126, 0, 35)),
)


@dataclass(frozen=True)
class Aqi:
    """An overall AQI with its dominant pollutant and the sub-index of each pollutant."""

    value: int
    dominant: str
    sub_indices: dict[str, float]

    @property
    def band(self) -> Band:
        """The colour band of the value."""
        return band(self.value)


def band(value: int) -> Band:
    """The band an AQI value falls in (values above 500 are hazardous)."""
    for b in BANDS:
        if value <= b.high:
            return b
    return BANDS[-1]


def sub_index(table: str, concentration: float) -> float | None:
    """AQIx by linear interpolation between breakpoints; None if beyond the table's range."""
    bps = BREAKPOINTS[table]
    if concentration < 0:
        raise ValueError("a concentration cannot be negative")
    for i in range(len(LEVELS) - 1):
        low, high = bps[i], bps[i + 1]
        if low is None or high is None:
            return None
        if low <= concentration < high:
            return (LEVELS[i + 1] - LEVELS[i]) / (high - low) * (concentration - low) + LEVELS[i]
    return float(LEVELS[-1]) if bps[-1] is not None else None


def nowcast(hourly: Sequence[float | None]) -> float | None:
    """NowCast of the last 12 hourly means, newest first (c1 … c12); None if too few values.

    At least two of the three newest hours are required. Missing hours are skipped.
    """
    values = list(hourly[:12])
    if sum(v is not None for v in values[:3]) < 2:
        return None
    present = [(i, v) for i, v in enumerate(values, start=1) if v is not None]
    cmin, cmax = min(v for _, v in present), max(v for _, v in present)
    ratio = cmin / cmax if cmax > 0 else 1.0
    if ratio > 0.5:
        weights = [ratio ** (i - 1) for i, _ in present]
        return sum(w * v for w, (_, v) in zip(weights, present, strict=True)) / sum(weights)
    return sum(0.5**i * v for i, v in present)


def overall(sub: Mapping[str, float | None]) -> Aqi | None:
    """The overall AQI: the largest sub-index; None without PM10 or PM2.5 (the method needs one)."""
    known = {p: v for p, v in sub.items() if v is not None}
    if "pm25" not in known and "pm10" not in known:
        return None
    dominant = max(known, key=lambda p: known[p])
    return Aqi(value=round_half_up(known[dominant]), dominant=dominant, sub_indices=known)


def round_half_up(value: float) -> int:
    """Round to an integer, halves up (Python's round() would send 50.5 to 50)."""
    return int(math.floor(value + 0.5))


def hourly_aqi(hourly: Mapping[str, Sequence[float | None]]) -> Aqi | None:
    """Hourly AQI from hourly means per pollutant, newest first (12 hours for PM)."""
    sub: dict[str, float | None] = {}
    for pollutant, series in hourly.items():
        if pollutant in ("pm25", "pm10"):
            value = nowcast(series)
            sub[pollutant] = sub_index(pollutant, value) if value is not None else None
        elif series and series[0] is not None:
            table = "o3_1h" if pollutant == "o3" else pollutant
            sub[pollutant] = sub_index(table, series[0])
    return overall(sub)


def daily_aqi(day: Mapping[str, Sequence[float]]) -> Aqi | None:
    """Daily AQI from one day's hourly means per pollutant (in time order)."""
    sub: dict[str, float | None] = {}
    for pollutant, series in day.items():
        if not series:
            continue
        if pollutant in ("pm25", "pm10"):
            sub[pollutant] = sub_index(pollutant, sum(series) / len(series))
        elif pollutant == "o3":
            one_hour = sub_index("o3_1h", max(series))
            eights = [sum(series[i : i + 8]) / 8 for i in range(len(series) - 7)]
            eight = max(eights) if eights else None
            # The 8-hour index is not used above 400 µg/m³ (the table stops there).
            eight_index = sub_index("o3_8h", eight) if eight is not None and eight <= 400 else None
            sub["o3"] = max(v for v in (one_hour, eight_index, 0.0) if v is not None)
        else:
            sub[pollutant] = sub_index(pollutant, max(series))
    return overall(sub)
