"""Forecasts of an indicator's next periods with a prediction interval.

A series of two years or more gets additive Holt-Winters exponential smoothing (trend and
yearly seasonality, statsmodels' `ExponentialSmoothing`; its interval from 1,000 simulated
futures with a fixed seed, as the state-space `ETSModel` fits about 50 times slower here); a
shorter one the seasonal
naive forecast (the same month a year before) when it covers a year, else the naive one, with
the textbook interval σ·√k (Hyndman & Athanasopoulos, §5.5). Fitting is deterministic, so the
same series and seed always give the same forecast.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo_ioc.socioeconomic import analytics
from geo_ioc.socioeconomic.models import AdminUnit, Indicator
from geo_ioc.socioeconomic.periods import Period, month, parse, quarter, shift

# Periods a year, by periodicity: the seasonal period of the models.
SEASONS = {"month": 12, "quarter": 4}
SIMULATIONS = 1000
SEED = 125


@dataclass(frozen=True)
class Point:
    """One forecast period."""

    period: str
    mean: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Forecast:
    """History, method and the forecast periods."""

    method: str
    level: float
    history: list[tuple[str, float]]
    points: list[Point]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "method": self.method,
            "level": self.level,
            "history": [{"period": p, "value": v} for p, v in self.history],
            "forecast": [asdict(p) for p in self.points],
        }


def _naive(y: np.ndarray, horizon: int, z: float, season: int) -> tuple[np.ndarray, np.ndarray]:
    m = season
    resid = y[m:] - y[:-m]
    sigma = float(np.std(resid, ddof=1)) if len(resid) > 1 else 0.0
    mean = np.array([y[len(y) - m + (h % m)] for h in range(horizon)])
    width = np.array([z * sigma * math.sqrt(h // m + 1) for h in range(horizon)])
    return mean, width


def forecast_series(
    y: np.ndarray, horizon: int, level: float = 0.8, season: int = 12, seed: int = SEED
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """Method, mean, lower and upper bounds of the next `horizon` values of a series."""
    from scipy.stats import norm  # slow to import: only when a forecast is made

    z = float(norm.ppf(0.5 + level / 2))
    if len(y) >= 2 * season + 2:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        series = pd.Series(y, index=pd.period_range("2000-01", periods=len(y), freq="M"))
        model = ExponentialSmoothing(
            series,
            trend="add",
            seasonal="add",
            seasonal_periods=season,
            initialization_method="estimated",
        )
        with warnings.catch_warnings():  # convergence chatter of the optimiser
            warnings.simplefilter("ignore")
            fit = model.fit()
        mean = np.asarray(fit.forecast(horizon))
        # The interval from simulated futures with the fitted errors: the seed makes it exact.
        paths = np.asarray(
            fit.simulate(
                horizon, repetitions=SIMULATIONS, error="add", rng=np.random.default_rng(seed)
            )
        )
        lower = np.quantile(paths, (1 - level) / 2, axis=1)
        upper = np.quantile(paths, (1 + level) / 2, axis=1)
        return "holt_winters", mean, lower, upper
    seasonal = len(y) >= season + 2
    mean, width = _naive(y, horizon, z, season if seasonal else 1)
    return ("seasonal_naive" if seasonal else "naive"), mean, mean - width, mean + width


def history(
    ind: Indicator, unit: AdminUnit, end: Period, count: int = 36
) -> list[tuple[str, float]]:
    """The indicator's values on a unit for `count` periods up to `end` (rolled up)."""
    periods = [shift(end, -n) for n in range(count - 1, -1, -1)]
    cells = analytics.run(analytics.Query([ind], periods, [unit]))
    return [(c.period, c.value) for c in cells if c.value is not None]


def forecast(
    ind: Indicator,
    unit: AdminUnit,
    today: dt.date,
    horizon: int = 6,
    level: float = 0.8,
    until: Period | None = None,
) -> Forecast:
    """Forecast from the history up to `until` (default: the last complete month)."""
    season = SEASONS.get(ind.periodicity, 1)
    this = month(today) if season == 12 else quarter(today.year, (today.month - 1) // 3 + 1)
    end = until or this.previous()
    past = history(ind, unit, end, 3 * season)
    if len(past) < 3:
        return Forecast("none", level, past, [])
    y = np.array([v for _, v in past], dtype=float)
    method, mean, lower, upper = forecast_series(y, horizon, level, season)
    last = parse(past[-1][0], today)[0]
    points = [
        Point(shift(last, h + 1).key, round(float(m), 4), round(float(lo), 4), round(float(hi), 4))
        for h, (m, lo, hi) in enumerate(zip(mean, lower, upper, strict=True))
    ]
    return Forecast(method, level, past, points)
