"""The MQTT consumer: `geo-ioc/stations/{code}/readings` → the same ingestion path as HTTP.

The consumer is `geo_ioc.core.mqtt.Consumer` with this module's `handle`. Nothing a message holds
can stop it: every outcome of `handle` is counted, and what cannot be stored (not JSON, too deep,
too big, wrong shape, refused readings) goes to the dead-letter table with its reason. Messages
are acknowledged by hand, after they are stored (or dead-lettered): a reading that arrives while
the database is unreachable is retried until it is stored, and if the consumer dies first the
broker redelivers it (QoS 1, persistent session); storing is idempotent, so a redelivery is
counted as a duplicate, never stored twice.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

from django.utils import timezone

from geo_ioc.core.inputs import loads
from geo_ioc.core.mqtt import TRANSIENT, Broker, Stats, broker, handle_until_done
from geo_ioc.core.mqtt import Consumer as BaseConsumer
from geo_ioc.sensors.models import DeadLetter
from geo_ioc.sensors.services import ingest

__all__ = ["TRANSIENT", "Broker", "Consumer", "Stats", "broker", "handle", "station_of"]
log = logging.getLogger(__name__)
TOPIC = "geo-ioc/stations/+/readings"
MAX_PAYLOAD = 1_000_000  # bytes; a batch of readings is far smaller
MAX_DEPTH = 8  # a batch is a list of flat objects
EXCERPT = 500  # bytes of a dead letter's payload kept


def station_of(topic: str, prefix: str = "geo-ioc") -> str | None:
    """The station code in `{prefix}/stations/{code}/readings`, or None."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != prefix or parts[1] != "stations" or parts[3] != "readings":
        return None
    return parts[2] or None


def _printable(text: str, limit: int) -> str:
    """Text PostgreSQL can hold (no NUL), at most `limit` characters."""
    return text.replace("\x00", "\\x00")[:limit]


def dead_letter(topic: str, payload: bytes, reason: str, stats: Stats) -> None:
    """Keep a message that cannot be stored, with why (a lost database connection propagates)."""
    DeadLetter.objects.create(
        topic=_printable(topic, 300),
        reason=_printable(reason, 500),
        size=len(payload),
        excerpt=_printable(payload[:EXCERPT].decode("utf-8", errors="replace"), EXCERPT),
    )
    stats.counts["dead_letters"] += 1
    log.warning("MQTT %s: dead letter: %s", topic[:300], reason[:200])


def handle(topic: str, payload: bytes | bytearray, stats: Stats, prefix: str = "geo-ioc") -> None:
    """Ingest one message; every outcome is counted and nothing escapes but a lost database.

    TRANSIENT errors (the database is unreachable) are raised for the caller to retry; the
    message is then not acknowledged. Anything else is counted and dead-lettered.
    """
    data = bytes(payload)
    stats.counts["messages"] += 1
    code = station_of(topic, prefix)
    if code is None:
        stats.counts["bad_topic"] += 1
        dead_letter(topic, data, "topic is not {prefix}/stations/{code}/readings", stats)
        return
    try:
        body: Any = loads(data, max_bytes=MAX_PAYLOAD, max_depth=MAX_DEPTH)
    except ValueError as exc:
        stats.counts["bad_json"] += 1
        dead_letter(topic, data, str(exc), stats)
        return
    try:
        report = ingest(body, station=code)
    except TRANSIENT:
        raise
    except Exception as exc:  # a bug or a refusal of the database: keep the message, go on
        stats.counts["errors"] += 1
        log.exception("MQTT %s: ingestion failed", topic)
        dead_letter(topic, data, f"ingestion failed: {type(exc).__name__}: {exc}", stats)
        return
    stats.counts["inserted"] += report.inserted
    stats.counts["duplicates"] += report.duplicates
    stats.counts["rejected"] += len(report.rejected)
    if report.inserted:
        stats.last_stored_at = timezone.now()
    if report.rejected:
        reasons = "; ".join(f"#{r.index}: {r.reason}" for r in report.rejected[:3])
        dead_letter(topic, data, f"{len(report.rejected)} refused: {reasons}", stats)


def handle_until_stored(
    topic: str, payload: bytes, stats: Stats, prefix: str, running: threading.Event
) -> bool:
    """`handle`, retried with back-off while the database is unreachable; True once done."""
    return handle_until_done(
        functools.partial(handle, prefix=prefix), topic, payload, stats, running
    )


class Consumer(BaseConsumer):
    """The readings consumer: `{prefix}/stations/+/readings`, each message through `handle`."""

    def __init__(self, stats: Stats, prefix: str = "geo-ioc", client_id: str = "") -> None:
        super().__init__(
            stats,
            TOPIC.replace("geo-ioc", prefix, 1),
            functools.partial(handle, prefix=prefix),
            client_id,
        )
        self.prefix = prefix
