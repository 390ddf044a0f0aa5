"""The time slider's replay over real HTTP: incidents open in the window and station AQI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from geo_ioc.sensors import aqi
from tests.conftest import Users
from tests.helpers import auth, rows

pytestmark = pytest.mark.django_db


def timeline(http: httpx.Client, token: str | None, hours: int | None = None) -> dict[str, Any]:
    params = {"hours": hours} if hours is not None else {}
    r = http.get("/indicators/timeline", params=params, headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "private, no-cache"
    return dict(r.json())


def buckets(body: dict[str, Any]) -> list[datetime]:
    end = datetime.fromisoformat(body["end"]).astimezone(UTC)
    top = end.replace(minute=0, second=0, microsecond=0)
    return [top - timedelta(hours=body["hours"] - 1 - i) for i in range(body["hours"])]


@pytest.mark.parametrize("hours", [None, 3, 72])
def test_replayed_incidents_equal_sql(http: httpx.Client, users: Users, hours: int | None) -> None:
    body = timeline(http, users.operator, hours)
    assert body["hours"] == (hours or 24)
    start, end = datetime.fromisoformat(body["start"]), datetime.fromisoformat(body["end"])
    assert start == buckets(body)[0]
    truth = rows(
        "SELECT id, code, type, severity, status, ST_X(geom), ST_Y(geom), reported_at, ended"
        " FROM operations_incident, LATERAL (SELECT coalesce(resolved_at, closed_at) AS ended) e"
        " WHERE reported_at <= %(end)s AND (ended IS NULL OR ended >= %(start)s)"
        " ORDER BY reported_at, id",
        {"start": start, "end": end},
    )
    assert len(truth) > 0
    got = body["incidents"]
    assert [i["id"] for i in got] == [row[0] for row in truth]
    for item, (_, code, kind, severity, status, lon, lat, reported, ended) in zip(
        got, truth, strict=True
    ):
        assert (item["code"], item["type"], item["severity"], item["status"]) == (
            code,
            kind,
            severity,
            status,
        )
        assert (item["lon"], item["lat"]) == pytest.approx((lon, lat))
        assert datetime.fromisoformat(item["reported_at"]) == reported
        assert (datetime.fromisoformat(item["ended_at"]) if item["ended_at"] else None) == ended


def test_a_longer_window_replays_at_least_as_much(http: httpx.Client, users: Users) -> None:
    short = {i["id"] for i in timeline(http, users.planner, 1)["incidents"]}
    long = {i["id"] for i in timeline(http, users.planner, 72)["incidents"]}
    assert short <= long
    [(still_open,)] = rows(
        "SELECT count(*) FROM operations_incident WHERE resolved_at IS NULL AND closed_at IS NULL"
    )
    assert len(short) >= still_open > 0


def test_replayed_stations_have_an_hourly_series(http: httpx.Client) -> None:
    body = timeline(http, None, 12)
    codes = [
        code
        for (code,) in rows("SELECT code FROM sensors_station WHERE kind = 'air' ORDER BY code")
    ]
    assert [s["code"] for s in body["stations"]] == codes
    hours = buckets(body)
    for station in body["stations"]:
        [(lon, lat)] = rows(
            "SELECT ST_X(geom), ST_Y(geom) FROM sensors_station WHERE code = %s", [station["code"]]
        )
        assert (station["lon"], station["lat"]) == pytest.approx((lon, lat))
        assert [datetime.fromisoformat(h["hour"]) for h in station["series"]] == hours
        values = [h["aqi"] for h in station["series"]]
        assert any(v is not None for v in values), station["code"]  # the demo has readings
        for h in station["series"]:
            assert h["colour"] == (aqi.band(h["aqi"]).hex if h["aqi"] is not None else None)


@pytest.mark.parametrize(
    ("role", "incidents"), [(None, False), ("planner", True), ("operator", True)]
)
def test_incidents_only_for_those_who_may_see_them(
    http: httpx.Client, users: Users, role: str | None, incidents: bool
) -> None:
    body = timeline(http, getattr(users, role) if role else None, 6)
    assert (body["incidents"] is not None) is incidents
    assert body["stations"] is not None  # public
