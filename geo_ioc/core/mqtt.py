"""The base of the MQTT consumers (station readings, camera heartbeats): one way to consume.

A `Consumer` is a paho client whose network thread only queues messages; one storing thread hands
each to the domain's handler and acknowledges it (QoS 1, by hand) once the handler is done. A
handler raises one of `TRANSIENT` while the database is unreachable: the message is then retried
with back-off and never acknowledged, so if the consumer dies the broker delivers it again. Any
other outcome is the handler's to count (`Stats`); nothing a message holds stops the consumer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone

log = logging.getLogger(__name__)
RETRY_MAX_S = 10.0
# The database connection is gone or refused: retry, never acknowledge.
TRANSIENT = (OperationalError, InterfaceError)


@dataclass
class Stats:
    """What the consumer has done since it started (written by its threads, read for health)."""

    counts: Counter[str] = field(default_factory=Counter)
    connected: bool = False
    last_message_at: datetime | None = None
    last_stored_at: datetime | None = None

    def snapshot(self) -> dict[str, int]:
        """A copy of the counts, read while the storing thread may add a new one."""
        for _ in range(10):
            try:
                return dict(self.counts)
            except RuntimeError:  # "dictionary changed size during iteration": read again
                continue
        return {}

    def line(self) -> str:
        """One log line."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.snapshot().items())) or "nothing yet"


@dataclass(frozen=True)
class Broker:
    """Where the broker is and how to log in (MQTT_URL: mqtt://user:password@host:port)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None


def broker(url: str | None = None) -> Broker:
    """The broker of MQTT_URL (or `url`)."""
    parsed = urlparse(url or settings.MQTT_URL)
    return Broker(
        parsed.hostname or "127.0.0.1",
        parsed.port or 1883,
        unquote(parsed.username) if parsed.username else None,
        unquote(parsed.password) if parsed.password else None,
    )


# A domain's handler of one message: counts its outcomes, raises TRANSIENT to be retried.
Handler = Callable[[str, bytes, Stats], None]


def handle_until_done(
    handler: Handler, topic: str, payload: bytes, stats: Stats, running: threading.Event
) -> bool:
    """`handler`, retried with back-off while the database is unreachable; True once done."""
    delay = 0.5
    while True:
        try:
            close_old_connections()  # a long-lived consumer must not keep a dead connection
            handler(topic, payload, stats)
            return True
        except TRANSIENT as exc:
            stats.counts["retries"] += 1
            log.warning("MQTT %s: database unreachable (%s); retrying in %.1fs", topic, exc, delay)
            drop_connections()
        except Exception:  # never let the storing thread die (the handler's own keeping failed)
            stats.counts["errors"] += 1
            log.exception("MQTT %s: message could not be kept", topic)
            return True
        if not running.is_set():
            return False  # stopping: not acknowledged, the broker will deliver it again
        stats.counts["messages"] -= 1  # the retry counts it again
        time.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_S)


def drop_connections() -> None:
    """Forget this thread's connection and the pool's.

    After a database restart or killed sessions every pooled connection is dead, and trying them
    one at a time (with back-off) takes minutes.
    """
    try:
        connection.close()
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL's wrapper
    except Exception:  # noqa: BLE001 — closing a broken connection may fail too
        log.debug("closing the database connection failed", exc_info=True)


def _topic(msg: mqtt.MQTTMessage) -> str:
    try:
        return msg.topic
    except UnicodeDecodeError:  # brokers check UTF-8, but the consumer does not rely on it
        return bytes(msg._topic).decode("utf-8", errors="replace")


class Consumer:
    """A paho client whose messages are handled by one thread, then acknowledged.

    The network thread only queues: it never blocks on the database (keep-alives go on), and no
    exception of storing can reach it. The broker's in-flight window bounds the queue.
    """

    def __init__(self, stats: Stats, topic: str, handler: Handler, client_id: str = "") -> None:
        self.stats, self.topic, self.handler = stats, topic, handler
        self.running = threading.Event()
        self.persistent = bool(client_id)
        self.session = 0  # counts connections
        self.pending: queue.Queue[tuple[int, str, bytes, int, int]] = queue.Queue()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=not client_id,
            manual_ack=True,
        )
        self.client.suppress_exceptions = True  # a callback's bug is logged, the thread lives
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.worker = threading.Thread(target=self._store, name="mqtt-store", daemon=True)

    def _on_connect(self, cl: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("MQTT connection refused: %s", reason)
            return
        self.session += 1
        self.stats.connected = True
        log.info("MQTT connected; subscribing to %s", self.topic)
        cl.subscribe(self.topic, qos=1)

    def _on_disconnect(self, _cl: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.stats.connected = False
        log.warning("MQTT disconnected: %s", reason)

    def _on_message(self, _cl: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self.stats.last_message_at = timezone.now()
        self.pending.put((self.session, _topic(msg), bytes(msg.payload), msg.mid, msg.qos))

    def _store(self) -> None:
        while self.running.is_set():
            try:
                session, topic, payload, mid, qos = self.pending.get(timeout=0.5)
            except queue.Empty:
                continue
            done = handle_until_done(self.handler, topic, payload, self.stats, self.running)
            # A persistent session keeps a message's id until it is acknowledged, across
            # reconnects and broker restarts (which do not always redeliver, and then hold the
            # in-flight window): acknowledge it. A clean session's ids start afresh.
            if done and qos > 0 and (self.persistent or session == self.session):
                self.client.ack(mid, qos)

    def start(self, where: Broker, keepalive: int = 30) -> None:
        """Connect (in the background, retried) and start handling."""
        if where.username:
            self.client.username_pw_set(where.username, where.password)
        self.running.set()
        self.worker.start()
        self.client.connect_async(where.host, where.port, keepalive=keepalive)
        self.client.loop_start()

    def stop(self) -> None:
        """Stop handling (unacknowledged messages stay with the broker) and disconnect."""
        self.running.clear()
        self.worker.join(timeout=30)
        self.client.disconnect()
        self.client.loop_stop()
