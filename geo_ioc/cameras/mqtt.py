"""Camera heartbeats over MQTT: `geo-ioc/cameras/{code}/heartbeat` → the same path as HTTP.

The consumer is the shared one (`geo_ioc.core.mqtt.Consumer`: a storing thread, acknowledgement
once handled, retries while the database is unreachable) with this module's `handle`, which
counts every outcome and lets nothing else escape a message.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from geo_ioc.cameras.health import record_heartbeats
from geo_ioc.core.mqtt import TRANSIENT, Consumer, Stats

log = logging.getLogger(__name__)
TOPIC = "{prefix}/cameras/+/heartbeat"


def camera_of(topic: str, prefix: str = "geo-ioc") -> str | None:
    """The camera code in `{prefix}/cameras/{code}/heartbeat`, or None."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != prefix or parts[1] != "cameras" or parts[3] != "heartbeat":
        return None
    return parts[2] or None


def handle(topic: str, payload: bytes | bytearray, stats: Stats, prefix: str = "geo-ioc") -> None:
    """Record one heartbeat (a JSON object, or a list of them) of the topic's camera.

    A lost database (TRANSIENT) is raised for the consumer to retry; anything else is counted.
    """
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
    except TRANSIENT:
        raise
    except Exception:  # the consumer outlives any bad message
        stats.counts["errors"] += 1
        log.exception("MQTT %s: heartbeat failed", topic)
        return
    stats.counts["accepted"] += report.accepted
    stats.counts["rejected"] += len(report.rejected)
    stats.counts["status_changes"] += len(report.changed)
    for r in report.rejected[:3]:
        log.warning("MQTT %s: heartbeat refused: %s", topic, r["reason"])


def consumer(stats: Stats, prefix: str = "geo-ioc", client_id: str = "") -> Consumer:
    """The heartbeat consumer: subscribes on every (re)connect, acknowledges once recorded."""
    return Consumer(
        stats, TOPIC.format(prefix=prefix), functools.partial(handle, prefix=prefix), client_id
    )
