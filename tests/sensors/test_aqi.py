"""VN_AQI against examples worked by hand from the decision's breakpoint table."""

from __future__ import annotations

import pytest

from geo_ioc.sensors import aqi


@pytest.mark.parametrize(
    ("table", "concentration", "expected"),
    [
        # PM2.5 = 35 µg/m³ lies in [25, 50): (100-50)/(50-25)·(35-25) + 50 = 70.
        ("pm25", 35.0, 70.0),
        # PM10 = 200 in [150, 250): (150-100)/(250-150)·(200-150) + 100 = 125.
        ("pm10", 200.0, 125.0),
        # NO2 = 150 in [100, 200): 50/100·50 + 50 = 75.
        ("no2", 150.0, 75.0),
        # CO = 20000 in [10000, 30000): 50/20000·10000 + 50 = 75.
        ("co", 20000.0, 75.0),
        # O3 1h = 250 in [200, 300): 50/100·50 + 100 = 125.
        ("o3_1h", 250.0, 125.0),
        # A breakpoint itself opens the next segment: PM2.5 = 50 → 100.
        ("pm25", 50.0, 100.0),
        # Above the table: capped at 500.
        ("pm25", 800.0, 500.0),
        # O3 8h has no breakpoint above 400: no index.
        ("o3_8h", 450.0, None),
    ],
)
def test_sub_index(table: str, concentration: float, expected: float | None) -> None:
    assert aqi.sub_index(table, concentration) == pytest.approx(expected)


def test_nowcast_steady_air_weights_recent_hours_more() -> None:
    # c1..c3 = 30, 20, 20: w* = 20/30 > 0.5, w = 2/3.
    # (30 + 2/3·20 + 4/9·20) / (1 + 2/3 + 4/9) = (30 + 13.333 + 8.889) / 2.111 = 24.737
    assert aqi.nowcast([30.0, 20.0, 20.0]) == pytest.approx(24.7368, abs=1e-3)


def test_nowcast_changing_air_uses_half_weights() -> None:
    # c1 = 100, c2 = 20: w* = 0.2 ≤ 0.5 → Σ 0.5^i·ci = 0.5·100 + 0.25·20 = 55.
    assert aqi.nowcast([100.0, 20.0, None]) == pytest.approx(55.0)


def test_nowcast_needs_two_of_the_three_newest_hours() -> None:
    assert aqi.nowcast([40.0, None, None, 30.0, 30.0]) is None
    assert aqi.nowcast([40.0, None, 40.0]) == pytest.approx(40.0)


def test_hourly_aqi_takes_the_worst_pollutant() -> None:
    # PM2.5 steady at 35 → NowCast 35 → 70; NO2 1h 150 → 75; O3 1h 100 → 31.25.
    result = aqi.hourly_aqi({"pm25": [35.0] * 12, "no2": [150.0], "o3": [100.0]})
    assert result is not None
    assert result.value == 75
    assert result.dominant == "no2"
    assert result.band.vi == "Trung bình" and result.band.hex == "#ffff00"


def test_aqi_needs_particles() -> None:
    assert aqi.hourly_aqi({"no2": [150.0], "o3": [100.0]}) is None


def test_daily_aqi_pm_mean_and_ozone_8h() -> None:
    # PM10 day mean of 24 × 160 → (150-100)/(250-150)·10 + 100 = 105.
    # O3: 1h max 180 → 50/40·20 + 50 = 75; 8h max mean 110 → 50/20·10 + 50 = 75; → 75.
    ozone = [110.0] * 8 + [90.0] * 15 + [180.0]
    result = aqi.daily_aqi({"pm10": [160.0] * 24, "o3": ozone})
    assert result is not None
    assert result.value == 105 and result.dominant == "pm10"
    assert result.sub_indices["o3"] == pytest.approx(75.0)
    assert result.band.en == "Poor"


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (0, "Tốt"),
        (50, "Tốt"),
        (51, "Trung bình"),
        (150, "Kém"),
        (200, "Xấu"),
        (300, "Rất xấu"),
        (301, "Nguy hại"),
        (500, "Nguy hại"),
    ],
)
def test_bands(value: int, name: str) -> None:
    assert aqi.band(value).vi == name


def test_rounding_is_half_up() -> None:
    assert aqi.round_half_up(50.5) == 51 and aqi.round_half_up(50.49) == 50


def test_hourly_pm25_during_an_episode_uses_half_weights() -> None:
    # c1..c12 = 80, 40, then ten hours of 30: w* = 30/80 = 0.375 ≤ 0.5 → w = 0.5.
    # NowCast = 0.5·80 + 0.25·40 + 30·(0.5³ + … + 0.5¹²) = 40 + 10 + 30·(0.25 − 0.5¹²)
    #         = 50 + 30·0.249755859375 = 57.4927
    # PM2.5 57.49 in [50, 80): 50/30·(57.4927 − 50) + 100 = 112.49 → 112, "Kém", orange.
    result = aqi.hourly_aqi({"pm25": [80.0, 40.0] + [30.0] * 10})
    assert result is not None
    assert result.sub_indices["pm25"] == pytest.approx(112.488, abs=1e-3)
    assert (result.value, result.dominant, result.band.vi) == (112, "pm25", "Kém")
    assert result.band.rgb == (255, 126, 0)


def test_hourly_pm25_over_twelve_steady_hours() -> None:
    # c1..c12 = 40, 36, 32, then nine hours of 30: w* = 30/40 = 0.75 > 0.5 → w = 0.75.
    # Σ w^(i−1) = (1 − 0.75¹²)/0.25 = 3.873295
    # Σ w^(i−1)·ci = 40 + 0.75·36 + 0.5625·32 + 30·(0.75³ − 0.75¹²)/0.25 = 85 + 46.823844
    # NowCast = 131.823844 / 3.873295 = 34.0340, in [25, 50):
    # 50/25·(34.0340 − 25) + 50 = 68.07 → 68, "Trung bình".
    result = aqi.hourly_aqi({"pm25": [40.0, 36.0, 32.0] + [30.0] * 9})
    assert result is not None
    assert aqi.nowcast([40.0, 36.0, 32.0] + [30.0] * 9) == pytest.approx(34.0340, abs=1e-4)
    assert (result.value, result.band.en) == (68, "Moderate")
