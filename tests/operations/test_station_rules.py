"""Station rules: a bad-air threshold fires on readings; a silent station is found by the sweep
and its alert ends with the next reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from geo_ioc.operations.models import Alert
from geo_ioc.sensors.models import Station
from geo_ioc.sensors.services import ingest
from tests.helpers import settle

pytestmark = pytest.mark.django_db


def open_alerts(rule: str, key: str) -> list[Alert]:
    return list(Alert.objects.filter(rule__name=rule, key=key).exclude(status="resolved"))


def test_bad_air_fires_once_per_station() -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # The seeded history is on whole hours: these instants never are, so none is a repeat.
    smoke = [
        {
            "station": "AQ-05",
            "time": (now - timedelta(hours=h, minutes=1, seconds=17)).isoformat(),
            "pollutant": "pm25",
            "value": 400.0,
        }
        for h in range(3)
    ]
    report = ingest(smoke)
    settle()
    assert report.inserted == 3
    station = Station.objects.get(code="AQ-05")
    assert station.aqi is not None and station.aqi >= 151
    [alert] = open_alerts("Không khí xấu", "station:AQ-05")
    assert alert.circle_radius_m == 2000 and alert.area.equals(station.geom)
    assert f"VN_AQI {station.aqi}" in alert.headline
    ingest([{**smoke[0], "time": (now - timedelta(minutes=30)).isoformat()}])
    settle()
    assert len(open_alerts("Không khí xấu", "station:AQ-05")) == 1


def test_silence_is_swept_and_ends_with_a_reading() -> None:
    quiet = datetime.now(UTC) - timedelta(hours=5)
    Station.objects.filter(code="WQ-02").update(last_reading_at=quiet)
    out = StringIO()
    call_command("alerts", "sweep", stdout=out)
    assert "open alerts" in out.getvalue()
    [alert] = open_alerts("Trạm quan trắc mất tín hiệu", "silent:WQ-02")
    assert "không gửi số liệu" in alert.headline
    reading = {
        "station": "WQ-02",
        "time": datetime.now(UTC).isoformat(),
        "pollutant": "ph",
        "value": 7.2,
        "unit": "pH",
    }
    assert ingest([reading]).inserted == 1
    settle()
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by == ""
