"""The simulator: plausible, deterministic readings that the ingestion path accepts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from statistics import mean

import pytest
from django.core.management import call_command

from geo_ioc.sensors.models import Reading, Station
from geo_ioc.sensors.simulate import readings
from geo_ioc.sensors.validation import clean

pytestmark = pytest.mark.django_db


def test_readings_follow_the_day_and_pass_validation() -> None:
    day = datetime(2026, 3, 2, tzinfo=UTC)  # local time is UTC+7
    at = [day + timedelta(days=d, hours=h) for d in range(14) for h in range(24)]
    hours = {t: readings(672, "AQ-01", "air", t) for t in at}
    assert hours[at[5]] == readings(672, "AQ-01", "air", at[5])  # deterministic
    rush = mean(v["no2"] for t, v in hours.items() if (t.hour + 7) % 24 == 8)
    night = mean(v["no2"] for t, v in hours.items() if (t.hour + 7) % 24 == 3)
    assert rush > 1.3 * night
    noon = mean(v["o3"] for t, v in hours.items() if (t.hour + 7) % 24 == 13)
    assert noon > 1.5 * mean(v["o3"] for t, v in hours.items() if (t.hour + 7) % 24 == 2)
    for t, values in hours.items():
        for pollutant, value in values.items():
            clean({"time": t.isoformat(), "pollutant": pollutant, "value": value}, "AQ-01")


def test_one_round_straight_into_the_database() -> None:
    before = Reading.objects.count()
    out = io.StringIO()
    call_command("simulate", "--direct", "--rounds", "1", stdout=out)
    stations = Station.objects.count()
    assert f"round 1: {stations} stations" in out.getvalue()
    assert Reading.objects.count() - before >= stations * 4
    assert not Station.objects.filter(stale=True).exists()
