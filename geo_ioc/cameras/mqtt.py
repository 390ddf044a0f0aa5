"""Camera heartbeats over MQTT: `geo-ioc/cameras/{code}/heartbeat` → the same path as HTTP.

The sensors' consumer pattern (`geo_ioc.sensors.mqtt`): one paho client that subscribes on every
(re)connect, counts every outcome and lets nothing escape a message.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from geo_ioc.cameras.health import record_heartbeats
from geo_ioc.sensors.mqtt import Stats

log = logging.getLogger(__name__)
TOPIC = "{prefix}/cameras/+/heartbeat"


def camera_of(topic: str, prefix: str = "geo-ioc") -> str | None:
    """The camera code in `{prefix}/cameras/{code}/heartbeat`, or None."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != prefix or parts[1] != "cameras" or parts[3] != "heartbeat":
        return None
    return parts[2] or None


def handle(topic: str, payload: bytes | bytearray, stats: Stats, prefix: str = "geo-ioc") -> None:
    """Record one heartbeat (a JSON object, or a list of them) of the topic's camera."""
    stats.counts["messages"] += 1
    code = camera_of(topic, prefix)
    if code is None:
        stats.counts["bad_topic"] += 1
        return
    try:
        body: Any = json.loads(payload or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        stats.counts["bad_json"] += 1
        return
    batch = body if isinstance(body, list) else [body]
    try:
        report = record_heartbeats(batch, camera=code)
    except Exception:  # the consumer outlives any bad message or database hiccup
        stats.counts["errors"] += 1
        log.exception("MQTT %s: heartbeat failed", topic)
        return
    stats.counts["accepted"] += report.accepted
    stats.counts["rejected"] += len(report.rejected)
    stats.counts["status_changes"] += len(report.changed)
    for r in report.rejected[:3]:
        log.warning("MQTT %s: heartbeat refused: %s", topic, r["reason"])


def client(stats: Stats, prefix: str = "geo-ioc", client_id: str = "") -> mqtt.Client:
    """A paho client that subscribes to camera heartbeats on every (re)connect."""
    c = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not client_id
    )
    c.reconnect_delay_set(min_delay=1, max_delay=30)
    topic = TOPIC.format(prefix=prefix)

    def on_connect(cl: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if not reason.is_failure:
            cl.subscribe(topic, qos=1)

    def on_message(_cl: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        close_old_connections()
        handle(msg.topic, msg.payload, stats, prefix)

    c.on_connect = on_connect
    c.on_message = on_message
    return c
