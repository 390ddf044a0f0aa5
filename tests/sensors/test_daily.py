"""Daily VN_AQI through the database: local days, hourly means, worked by hand."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from geo_ioc.sensors.models import Station
from geo_ioc.sensors.queries import daily_series
from geo_ioc.sensors.services import ingest

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def test_daily_aqi_of_a_local_day() -> None:
    day = timezone.now().astimezone(LOCAL).date() - timedelta(days=100)
    midnight = datetime.combine(day, time.min, LOCAL)
    rows = []
    for h in range(24):
        at = (midnight + timedelta(hours=h)).isoformat()
        rows.append({"time": at, "pollutant": "pm25", "value": 30.0 if h < 12 else 50.0})
        rows.append({"time": at, "pollutant": "no2", "value": 250.0 if h == 15 else 100.0})
    # Just outside the local day (UTC would count the first one in): must not count.
    for at in (midnight - timedelta(minutes=30), midnight + timedelta(days=1)):
        rows.append({"time": at.isoformat(), "pollutant": "pm25", "value": 400.0})
        rows.append({"time": at.isoformat(), "pollutant": "no2", "value": 3000.0})
    report = ingest(rows, station="AQ-01")
    assert report.inserted == len(rows) and not report.rejected

    station = Station.objects.get(code="AQ-01")
    [result] = daily_series(station, 1, now=midnight + timedelta(hours=12))
    # PM2.5: 24-hour mean (12·30 + 12·50)/24 = 40 in [25, 50): 50/25·(40−25) + 50 = 80.
    # NO2: highest hourly value 250 in [200, 700): 50/500·(250−200) + 100 = 105.
    # Overall max(80, 105) = 105 → "Kém" (101–150), orange 255,126,0; NO2 dominates.
    assert result == {
        "date": day.isoformat(),
        "hours": 24,
        "aqi": 105,
        "band": "poor",
        "colour": "#ff7e00",
        "dominant": "no2",
    }
