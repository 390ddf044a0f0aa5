"""Readings over MQTT through the real Mosquitto broker, into the same ingestion path as HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest

from geo_ioc.sensors.models import Reading
from geo_ioc.sensors.mqtt import Stats, handle
from tests.conftest import ROOT, database_url
from tests.sensors.conftest import Forget

pytestmark = pytest.mark.django_db
BROKER = ("127.0.0.1", 1883)
WAIT_S = 30.0  # an upper bound for slow machines, not a speed requirement


def an_hour(days_ago: int) -> datetime:
    """A whole hour well before the demo's history, so the stations' state is not changed."""
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)


@contextmanager
def consumer(prefix: str, client_id: str) -> Iterator[list[str]]:
    """`geo-ioc mqtt` in its own process on the test database; yields its output when stopped."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
    args = ["mqtt", "--prefix", prefix, "--client-id", client_id, "--seconds", "120"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo_ioc.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        yield output
    finally:
        proc.terminate()
        output.append(proc.communicate(timeout=20)[0])
        assert proc.returncode is not None


@contextmanager
def publisher() -> Iterator[mqtt.Client]:
    """A connected paho publisher."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect(*BROKER)
    client.loop_start()
    try:
        yield client
    finally:
        client.loop_stop()
        client.disconnect()


def send(client: mqtt.Client, topic: str, payload: bytes | str) -> None:
    """Publish with QoS 1 and wait for the broker's acknowledgement."""
    client.publish(topic, payload, qos=1).wait_for_publish(10)


def stored(code: str, at: datetime) -> list[float]:
    """Values the consumer committed for a station and an hour (seen through READ COMMITTED)."""
    return list(Reading.objects.filter(station__code=code, time=at).values_list("value", flat=True))


def wait_for(
    code: str, at: datetime, resend: tuple[mqtt.Client, str, str] | None = None, count: int = 1
) -> bool:
    """Poll until `count` readings are stored (bounded); optionally re-publish while waiting."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if resend:
            send(*resend)
        time.sleep(0.5)
        if len(stored(code, at)) >= count:
            return True
    return False


def drop_session(client_id: str) -> None:
    """Remove the broker's persistent session of a test consumer."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.connect(*BROKER)
    client.disconnect()


def test_round_trip_garbage_and_restart(forget: Forget) -> None:
    """Good readings are stored, garbage counted; what is sent while the consumer is down waits."""
    prefix, client_id = f"test-{uuid.uuid4().hex[:8]}", f"geo-ioc-test-{uuid.uuid4().hex[:8]}"
    topic = f"{prefix}/stations/AQ-03/readings"
    first, second = an_hour(41), an_hour(42)
    forget("AQ-03", first)
    forget("AQ-03", second)
    reading = json.dumps([{"time": first.isoformat(), "pollutant": "no2", "value": 42.0}])
    try:
        with publisher() as pub, consumer(prefix, client_id) as out:
            # Sent until the starting consumer has subscribed: repeats are harmless (idempotent).
            assert wait_for("AQ-03", first, resend=(pub, topic, reading))
            # Messages on one topic arrive in order: once the marker is stored, so is the garbage.
            send(pub, topic, b"{garbage")
            send(pub, topic, b'[{"time": "yesterday", "pollutant": "no2", "value": 1}]')
            marker = [{"time": first.isoformat(), "pollutant": "so2", "value": 9.0}]
            send(pub, topic, json.dumps(marker))
            assert wait_for("AQ-03", first, count=2)
        assert sorted(stored("AQ-03", first)) == [9.0, 42.0]
        text = out[0]
        assert "stopped:" in text and "bad_json 1" in text and "rejected 1" in text

        # The consumer is down: the broker keeps this for its session and delivers it on restart.
        later = [{"time": second.isoformat(), "pollutant": "pm25", "value": 18.5, "unit": "ug/m3"}]
        with publisher() as pub:
            send(pub, topic, json.dumps(later))
        assert stored("AQ-03", second) == []
        with consumer(prefix, client_id):
            assert wait_for("AQ-03", second)
        assert stored("AQ-03", second) == [18.5]
    finally:
        drop_session(client_id)


def test_handler_counts_garbage_and_goes_on() -> None:
    """Every kind of bad message is counted; none escapes the handler; good ones still land."""
    stats = Stats()
    t = an_hour(43).isoformat()
    good = {"time": t, "pollutant": "so2", "value": 12.0}
    handle("geo-ioc/stations/AQ-04/readings", b"\xff\xfe", stats)
    handle("geo-ioc/stations/AQ-04/readings", b"not json", stats)
    handle("geo-ioc/stations//readings", b"[]", stats)
    handle("elsewhere/stations/AQ-04/readings", b"[]", stats)
    handle("geo-ioc/stations/AQ-04/readings", b"42", stats)
    handle("geo-ioc/stations/NOPE/readings", json.dumps(good).encode(), stats)
    handle(
        "geo-ioc/stations/AQ-04/readings",
        json.dumps([good, {**good, "value": "x"}]).encode(),
        stats,
    )
    handle("geo-ioc/stations/AQ-04/readings", json.dumps(good).encode(), stats)
    odd = [{**good, "unit": ["ug/m3"]}, {**good, "station": "AQ-05"}, {**good, "time": None}]
    handle("geo-ioc/stations/AQ-04/readings", json.dumps(odd).encode(), stats)
    assert dict(+stats.counts) == {
        "messages": 9,
        "bad_json": 2,
        "bad_topic": 2,
        # 42, the unknown station, the non-numeric value, a list as unit, another station's
        # reading on this station's topic, no time.
        "rejected": 6,
        "inserted": 1,
        "duplicates": 1,
        # Everything above that could not be stored is kept with its reason.
        "dead_letters": 8,
    }
    assert Reading.objects.filter(station__code="AQ-04", time=t).count() == 1
