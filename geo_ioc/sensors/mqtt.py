"""The MQTT consumer: `geo-ioc/stations/{code}/readings` → the same ingestion path as HTTP.

A bad payload is counted and logged, never fatal; paho reconnects after a lost broker.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections

from geo_ioc.sensors.services import ingest

log = logging.getLogger(__name__)
TOPIC = "geo-ioc/stations/+/readings"


@dataclass
class Stats:
    """What the consumer has done since it started."""

    counts: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        """One log line."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing yet"


def broker(url: str | None = None) -> tuple[str, int]:
    """Host and port from MQTT_URL (mqtt://host:port)."""
    parsed = urlparse(url or settings.MQTT_URL)
    return parsed.hostname or "127.0.0.1", parsed.port or 1883


def station_of(topic: str, prefix: str = "geo-ioc") -> str | None:
    """The station code in `{prefix}/stations/{code}/readings`, or None."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != prefix or parts[1] != "stations" or parts[3] != "readings":
        return None
    return parts[2] or None


def handle(topic: str, payload: bytes | bytearray, stats: Stats, prefix: str = "geo-ioc") -> None:
    """Ingest one message; every outcome is counted, nothing escapes."""
    stats.counts["messages"] += 1
    code = station_of(topic, prefix)
    if code is None:
        stats.counts["bad_topic"] += 1
        return
    try:
        body: Any = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        stats.counts["bad_json"] += 1
        log.warning("MQTT %s: payload is not JSON", topic)
        return
    try:
        report = ingest(body, station=code)
    except Exception:  # the consumer outlives any bad message or database hiccup
        stats.counts["errors"] += 1
        log.exception("MQTT %s: ingestion failed", topic)
        return
    stats.counts["inserted"] += report.inserted
    stats.counts["duplicates"] += report.duplicates
    stats.counts["rejected"] += len(report.rejected)
    for r in report.rejected[:3]:
        log.warning("MQTT %s: reading %d refused: %s", topic, r.index, r.reason)


def client(stats: Stats, prefix: str = "geo-ioc", client_id: str = "") -> mqtt.Client:
    """A paho client that subscribes on every (re)connect and ingests each message.

    With a `client_id` the broker keeps the session: QoS 1 readings published while the consumer
    is down (a restart, a lost link) are delivered when it comes back. Without one, they are lost.
    """
    c = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not client_id
    )
    c.reconnect_delay_set(min_delay=1, max_delay=30)
    topic = TOPIC.replace("geo-ioc", prefix, 1)

    def on_connect(cl: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("MQTT connection refused: %s", reason)
            return
        log.info("MQTT connected; subscribing to %s", topic)
        cl.subscribe(topic, qos=1)

    def on_message(_cl: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        close_old_connections()  # a long-lived consumer must not keep a dead connection
        handle(msg.topic, msg.payload, stats, prefix)

    c.on_connect = on_connect
    c.on_message = on_message
    return c
