"""Heartbeats → stored status → the silent-camera rule → a maintenance incident; uptime."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.utils import timezone

from geo_ioc.cameras import health, mqtt
from geo_ioc.cameras.models import Camera, Health, StatusChange
from geo_ioc.cameras.queries import uptime
from geo_ioc.core.mqtt import Stats
from geo_ioc.operations.models import Alert, AlertRule, Incident
from geo_ioc.operations.rulekinds import sweep_all
from tests.cameras.conftest import MakeCamera
from tests.conftest import Users
from tests.helpers import auth, settle

pytestmark = pytest.mark.django_db


def test_status_follows_heartbeats(make_camera: MakeCamera) -> None:
    cam = make_camera(expected_fps=15)
    report = health.record_heartbeats([{"camera": cam.code, "fps": 14.5, "bitrate_kbps": 2048}])
    assert report.accepted == 1 and report.changed == [cam.code]
    cam.refresh_from_db()
    assert cam.status == "online"
    health.record_heartbeats([{"camera": cam.code, "fps": 4.0}])  # under half the expected rate
    cam.refresh_from_db()
    assert cam.status == "degraded"
    stuck = timezone.now() - timedelta(minutes=5)
    health.record_heartbeats([{"camera": cam.code, "fps": 15, "last_frame_at": stuck.isoformat()}])
    cam.refresh_from_db()
    assert cam.status == "degraded", "heartbeats without new frames: the video is stuck"
    Health.objects.filter(camera=cam).update(
        last_heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    assert cam.code in health.sweep()
    cam.refresh_from_db()
    assert cam.status == "offline"
    health.set_maintenance(cam, True)
    cam.refresh_from_db()
    assert cam.status == "maintenance"
    assert list(StatusChange.objects.filter(camera=cam).values_list("status", flat=True)) == [
        "online",
        "degraded",
        "offline",
        "maintenance",
    ]


def test_refused_heartbeats_are_listed(make_camera: MakeCamera) -> None:
    cam = make_camera()
    report = health.record_heartbeats(
        [
            {"camera": cam.code, "fps": -1},
            {"camera": "NO-SUCH"},
            {"camera": cam.code, "extra": 1},
            {"camera": cam.code},
        ]
    )
    assert report.accepted == 1
    assert [r["index"] for r in report.rejected] == [0, 1, 2]
    assert "fps" in report.rejected[0]["reason"] and "NO-SUCH" in report.rejected[1]["reason"]


def test_silent_camera_alert_opens_a_maintenance_incident_and_ends_on_a_heartbeat(
    make_camera: MakeCamera,
) -> None:
    cam = make_camera()
    rule = AlertRule.objects.create(
        name=f"silent {cam.code}",
        kind="camera_silent",
        event="Camera mất tín hiệu",
        params={"minutes": 5, "cameras": [cam.code], "open_incident": True, "severity": 2},
    )
    health.record_heartbeats([{"camera": cam.code, "fps": 15}])
    settle()
    Health.objects.filter(camera=cam).update(
        last_heartbeat_at=timezone.now() - timedelta(minutes=3)
    )
    health.sweep()  # offline now…
    settle()
    assert not Alert.objects.filter(rule=rule).exists(), "…but not yet for 5 minutes"
    Camera.objects.filter(pk=cam.pk).update(status_since=timezone.now() - timedelta(minutes=6))
    sweep_all()
    [alert] = Alert.objects.filter(rule=rule, status="active")
    assert cam.code in alert.headline and alert.key == f"camera_silent:{cam.code}"
    assert alert.incident is not None
    incident = alert.incident
    assert (incident.type, incident.source, incident.severity) == (
        Incident.Type.INFRASTRUCTURE_FAILURE,
        Incident.Source.CAMERA,
        2,
    )
    assert incident.geom.equals(cam.geom)
    sweep_all()
    assert Alert.objects.filter(rule=rule).count() == 1, "fires once"
    health.record_heartbeats([{"camera": cam.code, "fps": 15}])
    settle()
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by == ""


def test_uptime_from_the_status_history(make_camera: MakeCamera) -> None:
    a = make_camera(owner_unit="Đội A")
    b = make_camera(owner_unit="Đội A")
    now = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)
    h = timedelta(hours=1)
    StatusChange.objects.bulk_create(
        [
            StatusChange(camera=a, at=now - 30 * h, status="online"),  # before the window
            StatusChange(camera=a, at=now - 12 * h, status="offline"),
            StatusChange(camera=a, at=now - 6 * h, status="degraded"),
            StatusChange(camera=b, at=now - 6 * h, status="offline"),  # unknown before
        ]
    )
    per_camera, per_unit = uptime(now, 24)
    assert per_camera[a.code] == pytest.approx(18 / 24)  # 12 h online + 6 h degraded
    assert per_camera[b.code] == 0.0
    assert per_unit["Đội A"] == pytest.approx(18 / 30)


def test_mqtt_heartbeat_takes_the_http_path(make_camera: MakeCamera) -> None:
    cam = make_camera()
    stats = Stats()
    mqtt.handle(f"geo-ioc/cameras/{cam.code}/heartbeat", json.dumps({"fps": 12}).encode(), stats)
    mqtt.handle("geo-ioc/cameras//heartbeat", b"{}", stats)
    mqtt.handle(f"geo-ioc/cameras/{cam.code}/heartbeat", b"not json", stats)
    assert stats.counts == {
        "messages": 3,
        "accepted": 1,
        "status_changes": 1,
        "bad_topic": 1,
        "bad_json": 1,
        "rejected": 0,
    }
    assert Health.objects.get(camera=cam).fps == 12


def test_heartbeats_over_http(http: httpx.Client, users: Users) -> None:
    url = "/cameras/heartbeats"
    assert http.post(url, json=[{"camera": "CAM-001"}]).status_code == 401
    assert (
        http.post(url, json=[{"camera": "CAM-001"}], headers=auth(users.planner)).status_code == 403
    )
    bad = http.post(url, content=b"{", headers=auth(users.operator))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_heartbeats"
    none = http.post(url, json=[{"camera": "NO-SUCH", "fps": 1}], headers=auth(users.operator))
    assert none.status_code == 422 and none.json()["rejected"][0]["index"] == 0
