"""Forecasts: methods by series length, reproducible from a seed; the out-of-interval rule."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from geo_ioc.socioeconomic.forecasts import forecast_series
from geo_ioc.socioeconomic.periods import month, shift
from tests.socioeconomic.conftest import TODAY

pytestmark = pytest.mark.django_db


def _series(n: int) -> np.ndarray:
    k = np.arange(n)
    noise = np.random.default_rng(3).standard_normal(n)
    return 100 * 1.08 ** (k / 12) * (1 + 0.2 * np.sin(2 * np.pi * k / 12)) + 2 * noise


def test_methods_and_seed() -> None:
    y = _series(36)
    method, mean, lower, upper = forecast_series(y, 6, level=0.8, seed=7)
    assert method == "holt_winters"
    assert np.all(lower < mean) and np.all(mean < upper)
    again = forecast_series(y, 6, level=0.8, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip((mean, lower, upper), again[1:], strict=True))
    other = forecast_series(y, 6, level=0.8, seed=8)
    assert np.array_equal(mean, other[1]) and not np.array_equal(lower, other[2])
    # A year of history and a little more: the same month a year before.
    short = _series(16)
    method, mean, lower, upper = forecast_series(short, 3)
    assert method == "seasonal_naive"
    assert list(mean) == list(short[-12:-9])
    assert upper[0] - lower[0] == pytest.approx(upper[2] - lower[2])  # within the first year
    method, mean, *_ = forecast_series(_series(5), 2)
    assert method == "naive" and list(mean) == [_series(5)[-1]] * 2


def test_forecast_endpoint(http: httpx.Client, se_demo: dict[str, int]) -> None:
    params = {"dx": "retail_sales", "ou": "68", "horizon": "3"}
    body = http.get("/socioeconomic/forecast", params=params).json()
    assert body["method"] == "holt_winters" and len(body["history"]) == 36
    this = month(TODAY)
    assert [p["period"] for p in body["forecast"]] == [shift(this, n).key for n in range(3)]
    assert body == http.get("/socioeconomic/forecast", params=params).json()
    bad = http.get("/socioeconomic/forecast", params=params | {"horizon": "99"})
    assert bad.status_code == 400


def test_value_outside_its_interval_raises_an_alert(se_demo: dict[str, int]) -> None:
    from django.utils import timezone

    from geo_ioc.operations.models import Alert, AlertRule
    from geo_ioc.operations.rulekinds import sweep_all
    from geo_ioc.socioeconomic.models import Value
    from geo_ioc.socioeconomic.periods import month

    last = month(timezone.localdate()).previous()
    rule = AlertRule.objects.create(
        name="retail outliers",
        kind="out_of_interval",
        params={"indicators": ["retail_sales"], "units": ["68.XH"]},
        event="Bất thường",
    )
    sweep_all()
    assert not Alert.objects.filter(rule=rule).exists()
    Value.objects.filter(
        indicator__code="retail_sales", unit__code="68.XH", period=last.start, disaggregation=""
    ).update(value=1e6)
    sweep_all()
    alert = Alert.objects.get(rule=rule)
    assert alert.key == f"out_of_interval:retail_sales:68.XH:{last.key}"
