"""The KPI strip over real HTTP, compared with SQL on the domain tables; access by role; errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from geo_ioc.sensors import aqi
from tests.conftest import Users
from tests.helpers import auth, rows

pytestmark = pytest.mark.django_db
OPEN = ("new", "acknowledged", "dispatched")
CHỢ_ĐÀ_LẠT = (108.4370, 11.9430)  # inside the city: a flood of severity ≥ 2 raises an alert


def kpis(http: httpx.Client, token: str | None, hours: int = 24) -> dict[str, Any]:
    r = http.get("/indicators", params={"hours": hours}, headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "private, no-cache"
    return dict(r.json())


def window(body: dict[str, Any]) -> tuple[datetime, datetime, list[datetime]]:
    """The server's `now`, the start of its first hour and its hour buckets."""
    now = datetime.fromisoformat(body["time"])
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    buckets = [end - timedelta(hours=body["hours"] - 1 - i) for i in range(body["hours"])]
    return now, buckets[0], buckets


def incident_truth(now: datetime, start: datetime) -> dict[str, Any]:
    by_severity = {str(s): 0 for s in range(1, 5)}
    by_severity.update(
        {
            str(s): n
            for s, n in rows(
                "SELECT severity, count(*) FROM operations_incident"
                " WHERE status = ANY(%s) GROUP BY severity",
                [list(OPEN)],
            )
        }
    )
    by_status = dict.fromkeys(OPEN, 0)
    by_status.update(
        rows(
            "SELECT status, count(*) FROM operations_incident WHERE status = ANY(%s)"
            " GROUP BY status",
            [list(OPEN)],
        )
    )
    [(reported, resolved, ack)] = rows(
        "SELECT count(*), count(resolved_at),"
        " avg(extract(epoch FROM acknowledged_at - reported_at)) / 60"
        " FROM operations_incident WHERE reported_at >= %s AND reported_at <= %s",
        [start, now],
    )
    per_hour = dict(
        rows(
            "SELECT date_trunc('hour', reported_at AT TIME ZONE 'UTC'), count(*)"
            " FROM operations_incident WHERE reported_at >= %s AND reported_at <= %s GROUP BY 1",
            [start, now],
        )
    )
    return {
        "open": sum(by_status.values()),
        "by_severity": by_severity,
        "by_status": by_status,
        "reported": reported,
        "resolved": resolved,
        "ack": None if ack is None else float(ack),
        "per_hour": {h.replace(tzinfo=UTC): n for h, n in per_hour.items()},
    }


def check_incidents(body: dict[str, Any]) -> None:
    """The incident KPIs of a response equal SQL at the server's time."""
    now, start, buckets = window(body)
    got, truth = body["incidents"], incident_truth(now, start)
    for key in ("open", "by_severity", "by_status", "reported", "resolved"):
        assert got[key] == truth[key], key
    if truth["ack"] is None:
        assert got["minutes_to_acknowledge"] is None
    else:
        assert got["minutes_to_acknowledge"] == pytest.approx(truth["ack"], abs=0.051)
    assert [datetime.fromisoformat(h["hour"]) for h in got["per_hour"]] == buckets
    assert {datetime.fromisoformat(h["hour"]): h["count"] for h in got["per_hour"]} == {
        b: truth["per_hour"].get(b, 0) for b in buckets
    }
    assert sum(h["count"] for h in got["per_hour"]) == got["reported"]


def check_alerts(body: dict[str, Any]) -> None:
    counts = dict(
        rows("SELECT status, count(*) FROM operations_alert WHERE status <> 'resolved' GROUP BY 1")
    )
    [(latest,)] = rows("SELECT max(sent) FROM operations_alert WHERE status <> 'resolved'")
    got = body["alerts"]
    assert got["active"] == counts.get("active", 0)
    assert got["acknowledged"] == counts.get("acknowledged", 0)
    assert (datetime.fromisoformat(got["latest"]) if got["latest"] else None) == latest


def check_cameras(body: dict[str, Any]) -> None:
    counts = dict(rows("SELECT status, count(*) FROM cameras_camera GROUP BY 1"))
    got = body["cameras"]
    assert {k: got[k] for k in ("total", "online", "degraded", "offline", "maintenance")} == {
        "total": sum(counts.values()),
        "online": counts.get("online", 0),
        "degraded": counts.get("degraded", 0),
        "offline": counts.get("offline", 0),
        "maintenance": counts.get("maintenance", 0),
    }
    [(tampered,)] = rows("SELECT count(*) FROM cameras_camera WHERE tamper <> ''")
    assert got["tampered"] == tampered


def test_incident_kpis_equal_sql(http: httpx.Client, users: Users) -> None:
    body = kpis(http, users.operator)
    assert body["hours"] == 24
    assert body["incidents"]["open"] > 0 and body["incidents"]["reported"] > 0  # demo data
    check_incidents(body)


@pytest.mark.parametrize("hours", [1, 6, 72])
def test_window_follows_hours(http: httpx.Client, users: Users, hours: int) -> None:
    body = kpis(http, users.planner, hours)
    assert body["hours"] == hours
    assert len(body["incidents"]["per_hour"]) == hours
    assert len(body["air"]["per_hour"]) == hours
    check_incidents(body)


def test_a_new_incident_and_its_alert_move_the_kpis(http: httpx.Client, users: Users) -> None:
    before = kpis(http, users.operator)
    r = http.post(
        "/incidents",
        json={"type": "flooding", "severity": 3, "lon": CHỢ_ĐÀ_LẠT[0], "lat": CHỢ_ĐÀ_LẠT[1]},
        headers=auth(users.operator),
    )
    assert r.status_code == 201, r.text
    after = kpis(http, users.operator)
    b, a = before["incidents"], after["incidents"]
    assert a["open"] == b["open"] + 1
    assert a["by_severity"]["3"] == b["by_severity"]["3"] + 1
    assert a["by_status"]["new"] == b["by_status"]["new"] + 1
    assert a["reported"] == b["reported"] + 1 or window(after)[1] > window(before)[1]
    assert after["alerts"]["active"] == before["alerts"]["active"] + 1
    check_incidents(after)
    check_alerts(after)
    [(alert_id,)] = rows(
        "SELECT a.id FROM operations_alert a WHERE a.incident_id = %s", [r.json()["id"]]
    )
    ack = http.post(f"/alerts/{alert_id}/acknowledge", headers=auth(users.operator))
    assert ack.status_code == 200, ack.text
    acked = kpis(http, users.operator)
    assert acked["alerts"]["active"] == after["alerts"]["active"] - 1
    assert acked["alerts"]["acknowledged"] == after["alerts"]["acknowledged"] + 1
    check_alerts(acked)


def test_alert_and_camera_kpis_equal_sql(http: httpx.Client, users: Users) -> None:
    body = kpis(http, users.admin)
    check_alerts(body)
    check_cameras(body)
    assert body["cameras"]["total"] > 0


def test_air_kpis_equal_sql(http: httpx.Client, users: Users) -> None:
    body = kpis(http, None)
    now, _, buckets = window(body)
    air = rows(
        "SELECT code, aqi, last_reading_at IS NOT NULL"
        " AND %s - last_reading_at <= cadence_minutes * interval '2 minutes'"
        " FROM sensors_station WHERE kind = 'air' ORDER BY code",
        [now],
    )
    fresh = [(code, value) for code, value, ok in air if ok]
    got = body["air"]
    assert got["stations"] == len(air) > 0
    assert got["reporting"] == len(fresh)
    assert got["stale"] == len(air) - len(fresh)
    ranked = sorted((v, c) for c, v in fresh if v is not None)
    worst_aqi = ranked[-1][0] if ranked else None
    if worst_aqi is None:
        assert got["worst"] is None and got["per_hour"] == []
        return
    worst = got["worst"]
    assert worst["aqi"] == worst_aqi
    assert worst["code"] == min(c for c, v in fresh if v == worst_aqi)
    band = aqi.band(worst_aqi)
    assert worst["band"] == {"vi": band.vi, "en": band.en, "colour": band.hex}
    [(lon, lat)] = rows(
        "SELECT ST_X(geom), ST_Y(geom) FROM sensors_station WHERE code = %s", [worst["code"]]
    )
    assert (worst["lon"], worst["lat"]) == pytest.approx((lon, lat))
    assert [datetime.fromisoformat(h["hour"]) for h in got["per_hour"]] == buckets
    for hour in got["per_hour"]:
        if hour["aqi"] is None:
            assert hour["colour"] is None
        else:
            assert hour["colour"] == aqi.band(hour["aqi"]).hex
    this_hour = buckets[-1]
    [(last, current)] = rows(
        "SELECT sum(count) FILTER (WHERE hour = %(last)s), sum(count) FILTER (WHERE hour = %(now)s)"
        " FROM sensors_hourlymean m JOIN sensors_station s ON s.id = m.station_id"
        " WHERE s.kind = 'air'",
        {"last": this_hour - timedelta(hours=1), "now": this_hour},
    )
    assert got["readings_last_hour"] == (last or 0)
    assert got["readings_this_hour"] == (current or 0)


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        # Air stations are public; incidents and alerts are for staff; cameras for operators.
        (None, {"air"}),
        ("planner", {"air", "incidents", "alerts"}),
        ("operator", {"air", "incidents", "alerts", "cameras"}),
        ("admin", {"air", "incidents", "alerts", "cameras"}),
    ],
)
def test_each_role_sees_only_its_layers(
    http: httpx.Client, users: Users, role: str | None, visible: set[str]
) -> None:
    body = kpis(http, getattr(users, role) if role else None)
    parts = {"air", "incidents", "alerts", "cameras"}
    assert {p for p in parts if body[p] is not None} == visible
    assert all(body[p] is None for p in parts - visible)


@pytest.mark.parametrize("path", ["/indicators", "/indicators/timeline"])
@pytest.mark.parametrize("hours", ["0", "73", "-1", "1.5", "abc", "24h"])
def test_hours_out_of_range_is_a_json_400(
    http: httpx.Client, users: Users, path: str, hours: str
) -> None:
    r = http.get(path, params={"hours": hours}, headers=auth(users.operator))
    assert r.status_code == 400
    assert r.json() == {
        "code": "invalid_parameter",
        "message": "hours must be a whole number from 1 to 72.",
        "field": "hours",
    }


@pytest.mark.parametrize("path", ["/indicators", "/indicators/timeline"])
def test_indicators_are_read_only(http: httpx.Client, users: Users, path: str) -> None:
    r = http.post(path, headers=auth(users.operator))
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"
