"""Plausible readings for the demo stations: a diurnal cycle, traffic peaks, pollution episodes.

Deterministic for a (seed, station, hour): the demo's history and the live simulator agree.
"""

from __future__ import annotations

import math
import zlib
from datetime import datetime

import numpy as np

# Typical clean-air levels in Đà Lạt (µg/m³) for an air station, before the daily shape.
AIR_BASE = {"pm25": 14.0, "pm10": 26.0, "o3": 55.0, "no2": 22.0, "so2": 8.0, "co": 700.0}
WATER_BASE = {"ph": 7.1, "do": 7.4, "turbidity": 12.0, "temperature": 19.0}
UNITS = {
    "pm25": "ug/m3",
    "pm10": "ug/m3",
    "o3": "ug/m3",
    "no2": "ug/m3",
    "so2": "ug/m3",
    "co": "ug/m3",
    "ph": "pH",
    "do": "mg/L",
    "turbidity": "NTU",
    "temperature": "degC",
}
LOCAL_OFFSET_H = 7  # Indochina Time


def _rng(seed: int, code: str, hour: datetime) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(code.encode()), int(hour.timestamp() // 3600)])


def _traffic(local_hour: float) -> float:
    """Morning and evening rush hours (1 = quiet)."""
    return (
        1
        + 0.9 * math.exp(-((local_hour - 7.5) ** 2) / 2)
        + 0.8 * math.exp(-((local_hour - 17.5) ** 2) / 2.5)
    )


def _episode(seed: int, code: str, hour: datetime) -> float:
    """An occasional pollution episode: a few stations, a few days a month, swelling and fading."""
    day = int(hour.timestamp() // 86400)
    rng = np.random.default_rng([seed, zlib.crc32(code.encode()), day, 7])
    if rng.random() > 0.12:
        return 1.0
    peak = 2.5 + 2.5 * rng.random()
    local = (hour.hour + LOCAL_OFFSET_H) % 24
    return 1 + (peak - 1) * math.exp(-((local - 20) ** 2) / 18)


def readings(seed: int, code: str, kind: str, hour: datetime) -> dict[str, float]:
    """The values a station reports for one hour."""
    rng = _rng(seed, code, hour)
    local = (hour.hour + hour.minute / 60 + LOCAL_OFFSET_H) % 24
    if kind == "water":
        return {
            p: round(max(0.0, base * (1 + 0.05 * rng.standard_normal())), 2)
            for p, base in WATER_BASE.items()
        }
    traffic = _traffic(local)
    episode = _episode(seed, code, hour)
    # Ozone follows the sun; the rest follow traffic, and an episode lifts particles most.
    sun = max(0.0, math.sin(math.pi * (local - 6) / 13)) if 6 <= local <= 19 else 0.0
    shape = {
        "pm25": traffic * episode,
        "pm10": traffic * (1 + (episode - 1) * 0.8),
        "o3": 0.4 + 1.4 * sun,
        "no2": traffic,
        "so2": 1 + 0.2 * (traffic - 1),
        "co": traffic,
    }
    return {
        p: round(max(0.0, AIR_BASE[p] * shape[p] * (1 + 0.12 * rng.standard_normal())), 1)
        for p in AIR_BASE
    }
