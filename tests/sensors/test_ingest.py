"""Readings over HTTP through the one ingestion path: stored once, bad rows refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from geo_ioc.sensors.models import Reading, Station
from tests.conftest import Users
from tests.sensors.conftest import Forget

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def an_hour(days_ago: int) -> datetime:
    """A whole hour well before the demo's history, unique to each test."""
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)


def test_batch_with_duplicates_and_bad_rows(
    http: httpx.Client, users: Users, forget: Forget
) -> None:
    hour = an_hour(40)
    forget("AQ-01", hour)
    t = hour.isoformat()
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


def test_batch_limits_and_errors_are_json(http: httpx.Client, users: Users) -> None:
    too_many = [{"station": "AQ-01"}] * 10_001
    r = http.post("/sensors/readings", json=too_many, headers=auth(users.operator))
    assert r.status_code == 413 and r.json()["code"] == "batch_too_large"
    r = http.post("/sensors/readings", json={"readings": []}, headers=auth(users.operator))
    assert r.status_code == 400 and r.json()["code"] == "invalid_readings"
    assert http.get("/sensors/readings").status_code == 405


def test_readings_are_filtered_and_checked(http: httpx.Client) -> None:
    url = "/sensors/stations/AQ-01/readings"
    rows = http.get(url, params={"pollutant": "pm25", "limit": 5}).json()["readings"]
    assert len(rows) == 5 and {r["pollutant"] for r in rows} == {"pm25"}
    assert [r["time"] for r in rows] == sorted((r["time"] for r in rows), reverse=True)
    newest = datetime.fromisoformat(rows[0]["time"])
    window = {"since": (newest - timedelta(hours=2)).isoformat(), "until": newest.isoformat()}
    assert len(http.get(url, params={**window, "pollutant": "pm25"}).json()["readings"]) == 2
    for params, field in [
        ({"pollutant": "radon"}, "pollutant"),
        ({"since": "2026-01-01T00:00:00"}, "since"),
        ({"limit": "²"}, "limit"),
        ({"limit": 0}, "limit"),
    ]:
        r = http.get(url, params=params)
        assert (r.status_code, r.json()["code"], r.json()["field"]) == (
            400,
            "invalid_parameter",
            field,
        )


def test_daily_aqi_of_the_seeded_history(http: httpx.Client) -> None:
    body = http.get("/sensors/stations/AQ-01/aqi/daily", params={"days": 5}).json()
    days = body["days"]
    assert len(days) == 5 and body["time_zone"] == "Asia/Ho_Chi_Minh"
    # 72 hours of history end at the load: they touch three or four local days, never five.
    assert days[0]["aqi"] is None and days[0]["hours"] == 0
    with_index = [d for d in days if d["aqi"] is not None]
    assert len(with_index) >= 3 and all(d["colour"].startswith("#") for d in with_index)
    assert http.get("/sensors/stations/AQ-01/aqi/daily", params={"days": 99}).status_code == 400
