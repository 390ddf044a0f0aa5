"""Readings over HTTP and MQTT, through the one ingestion path: stored once, bad rows refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import paho.mqtt.client as mqtt
import pytest

from geo_ioc.sensors.models import Reading, Station
from tests.conftest import ROOT, Users, database_url

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def an_hour(days_ago: int) -> datetime:
    """A whole hour well before the demo's history, unique to each test."""
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)


def test_batch_with_duplicates_and_bad_rows(http: httpx.Client, users: Users) -> None:
    t = an_hour(40).isoformat()
    good = {"station": "AQ-01", "time": t, "pollutant": "pm25", "value": 31.5, "unit": "ug/m3"}
    co = {"station": "AQ-01", "time": t, "pollutant": "co", "value": 1.2, "unit": "mg/m3"}
    batch: list[Any] = [
        good,
        dict(good),  # the same reading twice in one batch
        co,
        {**good, "pollutant": "radon"},
        {**good, "value": -3},
        {**good, "station": "XX-99"},
        {**good, "time": "yesterday"},
        {**good, "time": "2026-01-01T00:00:00"},
        "not an object",
    ]
    r = http.post("/sensors/readings", json={"readings": batch}, headers=auth(users.operator))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["received"], body["inserted"], body["duplicates"]) == (9, 2, 1)
    reasons = {x["index"]: x["reason"] for x in body["rejected"]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "unknown pollutant" in reasons[3] and "outside" in reasons[4]
    assert "unknown station" in reasons[5] and "time zone" in reasons[7]
    stored = Reading.objects.filter(station__code="AQ-01", time=t)
    assert sorted(stored.values_list("pollutant", "value")) == [("co", 1200.0), ("pm25", 31.5)]
    again = http.post("/sensors/readings", json=[good, co], headers=auth(users.operator)).json()
    assert (again["inserted"], again["duplicates"]) == (0, 2)


def test_nothing_usable_is_422_and_access_is_checked(http: httpx.Client, users: Users) -> None:
    bad = [{"station": "AQ-01", "time": "x", "pollutant": "pm25", "value": 1}]
    r = http.post("/sensors/readings", json=bad, headers=auth(users.operator))
    assert r.status_code == 422 and r.json()["rejected"][0]["index"] == 0
    assert (
        http.post("/sensors/readings", content=b"[", headers=auth(users.operator)).json()["code"]
        == "invalid_readings"
    )
    assert http.post("/sensors/readings", json=bad).status_code == 401
    assert http.post("/sensors/readings", json=bad, headers=auth(users.planner)).status_code == 403


def test_stations_carry_aqi_and_freshness(http: httpx.Client) -> None:
    body = http.get("/sensors/stations").json()
    by_code = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    air = by_code["AQ-01"]
    assert isinstance(air["aqi"], int) and air["band"]["colour"].startswith("#")
    assert air["dominant_pollutant"] in {"pm25", "pm10", "o3", "no2", "so2", "co"}
    assert air["stale"] is False and air["cadence_minutes"] == 60
    assert by_code["WQ-01"]["aqi"] is None  # water stations have no air index
    series = http.get("/sensors/stations/AQ-01/aqi", params={"hours": 24}).json()["hours"]
    assert len(series) == 24 and all(h["aqi"] is not None for h in series[-12:])
    assert http.get("/sensors/stations/AQ-01/aqi", params={"hours": 0}).status_code == 400
    assert http.get("/sensors/stations/NOPE").status_code == 404


def test_silent_station_is_stale(users: Users) -> None:
    from geo_ioc.sensors.queries import is_stale

    station = Station.objects.get(code="AQ-02")
    assert station.last_reading_at is not None
    later = station.last_reading_at + timedelta(minutes=station.cadence_minutes * 2 + 1)
    assert not is_stale(station, station.last_reading_at)
    assert is_stale(station, later)


def test_mqtt_round_trip_through_the_broker(tmp_path: Any) -> None:
    """Publish to Mosquitto; `geo-ioc mqtt` (its own process) stores good readings, counts bad."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
    consumer = subprocess.Popen(
        [sys.executable, "-m", "geo_ioc.cli", "mqtt", "--prefix", prefix, "--seconds", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    t = an_hour(41)
    try:
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        publisher.connect("127.0.0.1", 1883)
        publisher.loop_start()
        topic = f"{prefix}/stations/AQ-03/readings"
        deadline = time.monotonic() + 30
        stored = 0
        while time.monotonic() < deadline and not stored:
            # Re-published until the consumer (still starting up) has subscribed: a repeat is
            # harmless, that is the point of idempotent readings.
            publisher.publish(topic, b"{garbage", qos=1).wait_for_publish(5)
            payload = [{"time": t.isoformat(), "pollutant": "no2", "value": 42.0}]
            publisher.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
            time.sleep(1.0)
            stored = Reading.objects.filter(station__code="AQ-03", time=t).count()
        publisher.loop_stop()
        publisher.disconnect()
        assert stored == 1
        assert Reading.objects.get(station__code="AQ-03", time=t).value == 42.0
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=20)[0]
    assert consumer.poll() is not None
    assert "stopped:" in output and "bad_json" in output and "inserted" in output
