"""`geo-ioc camera_mqtt` through a real Mosquitto of the test's own: heartbeats published → the
status stored → the camera falls silent → the silent-camera alert → a heartbeat ends it.

The consumer runs in its own process on the test database, so the camera and the rule are
committed (and removed after); the sweep runs every second there (`GEO_IOC_SWEEP_SECONDS=1`),
and only this camera's silence is made old enough to count (the others' is a day away).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.contrib.gis.geos import Point

from geo_ioc.cameras.models import Camera
from geo_ioc.operations.models import Alert, AlertRule
from tests.cameras.conftest import EMPTY_LAT, EMPTY_LON
from tests.conftest import ROOT, database_url
from tests.helpers import own_connection
from tests.sensors.broker import own_broker

WAIT_S = (
    90.0  # an upper bound for a loaded machine (the consumer starting), not a speed requirement
)


@pytest.fixture
def silent_rule(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[tuple[str, int]]:
    """A committed camera and a `camera_silent` rule for it (one minute); removed after."""
    code = f"MQ-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        cam = Camera.objects.create(
            code=code,
            name="Camera thử MQTT",
            owner_unit="Đội thử nghiệm",
            heading_deg=90,
            geom=Point(EMPTY_LON, EMPTY_LAT, srid=4326),
        )
        rule = AlertRule.objects.create(
            name=f"silent {code}",
            kind="camera_silent",
            event="Camera mất tín hiệu",
            params={"minutes": 1, "cameras": [code], "open_incident": False, "severity": 2},
        )
    try:
        yield code, rule.pk
    finally:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            Alert.objects.filter(rule_id=rule.pk).delete()
            rule.delete()
            cam.delete()


def wait(what: str, check: Callable[[], bool], tick: Callable[[], None] | None = None) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if tick:
            tick()
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def one(sql: str, *args: object) -> object:
    with own_connection() as conn:
        row = conn.execute(sql, list(args)).fetchone()
    return row[0] if row else None


def test_heartbeats_status_and_silent_alert_through_a_broker(
    silent_rule: tuple[str, int], tmp_path: Path
) -> None:
    code, rule = silent_rule
    status = lambda: one("SELECT status FROM cameras_camera WHERE code = %s", code)  # noqa: E731
    alert = lambda: one(  # noqa: E731
        "SELECT status FROM operations_alert WHERE rule_id = %s ORDER BY id DESC LIMIT 1", rule
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "GEO_IOC_SWEEP_SECONDS": "1",
        "GEO_IOC_CAMERA_OFFLINE_SECONDS": "86400",
    }
    with own_broker(tmp_path) as broker:
        url = f"mqtt://127.0.0.1:{broker.port}"
        args = ["camera_mqtt", "--url", url, "--client-id", "", "--sweep", "--seconds", "120"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "geo_ioc.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        pub.connect("127.0.0.1", broker.port)
        pub.loop_start()
        topic = f"geo-ioc/cameras/{code}/heartbeat"

        def beat(fps: int = 15) -> None:
            body = json.dumps({"fps": fps, "bitrate_kbps": 2048})
            pub.publish(topic, body, qos=1).wait_for_publish(10)

        fps = lambda: one(  # noqa: E731
            "SELECT h.fps FROM cameras_health h JOIN cameras_camera c ON c.id = h.camera_id"
            " WHERE c.code = %s",
            code,
        )

        try:
            # Sent until the starting consumer has subscribed (a clean session keeps nothing).
            wait("the heartbeat stored", lambda: status() == "online", tick=beat)
            assert fps() == 15
            # Beats sent while the consumer was starting may still be queued: one marked last
            # beat, stored only after all of them (one topic, handled in order), drains them,
            # so none lands after the silence is set below.
            beat(fps=7)
            wait("the last beat stored", lambda: fps() == 7)
            pub.publish(topic, b"not json", qos=1).wait_for_publish(10)
            pub.publish("geo-ioc/cameras//heartbeat", b"{}", qos=1).wait_for_publish(10)

            # Silent for two days: the consumer's sweep stores offline…
            with own_connection() as conn:
                conn.execute(
                    "UPDATE cameras_health SET last_heartbeat_at = now() - interval '2 days'"
                    " WHERE camera_id = (SELECT id FROM cameras_camera WHERE code = %s)",
                    [code],
                )
            wait("the camera offline", lambda: status() == "offline")
            assert alert() is None, "offline for less than the rule's minute"
            # …and once offline for over a minute, the silent-camera alert.
            with own_connection() as conn:
                conn.execute(
                    "UPDATE cameras_camera SET status_since = now() - interval '2 minutes'"
                    " WHERE code = %s",
                    [code],
                )
            wait("the silent-camera alert", lambda: alert() == "active")
            key = one("SELECT key FROM operations_alert WHERE rule_id = %s", rule)
            assert key == f"camera_silent:{code}"
            # A heartbeat again: online, and the alert ends.
            beat()
            wait("the camera back online", lambda: status() == "online")
            wait("the alert resolved", lambda: alert() == "resolved")
        finally:
            pub.loop_stop()
            pub.disconnect()
            proc.terminate()
            out = proc.communicate(timeout=30)[0]
    assert f"consuming geo-ioc/cameras/+/heartbeat from 127.0.0.1:{broker.port}" in out
    counts = dict(part.rsplit(" ", 1) for part in out.split("stopped: ", 1)[1].strip().split(", "))
    assert int(counts["bad_json"]) == 1 and int(counts["bad_topic"]) == 1
    assert int(counts["accepted"]) >= 2 and int(counts["swept_changes"]) >= 1
