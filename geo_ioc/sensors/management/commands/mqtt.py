"""`geo-ioc mqtt`: consume station readings from the MQTT broker (MQTT_URL).

The freshness sweep (stations that fell silent) is a periodic job of the workers
(`geo_ioc.sensors.tasks`); `--sweep` runs it here too, for a consumer without workers.
"""

from __future__ import annotations

import faulthandler
import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from geo_ioc.sensors import freshness, health
from geo_ioc.sensors.mqtt import Consumer, Stats, broker

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60.0
LOG_SECONDS = 60.0


class Command(BaseCommand):
    help = "Consume readings published to geo-ioc/stations/{code}/readings (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="broker, default MQTT_URL (mqtt://127.0.0.1:1883)")
        parser.add_argument("--prefix", default="geo-ioc", help="topic prefix")
        parser.add_argument(
            "--client-id",
            default="geo-ioc-mqtt",
            help="MQTT client id; the broker keeps its session across restarts ('' for none)",
        )
        parser.add_argument("--seconds", type=float, help="stop after this long (default: never)")
        parser.add_argument(
            "--sweep", action="store_true", help="also sweep freshness every minute (no worker)"
        )

    def _sweep(self, stats: Stats) -> None:
        """Flag stations that fell silent; a database hiccup waits for the next sweep."""
        try:
            close_old_connections()
            stats.counts["stale_flips"] += len(freshness.sweep())
        except DatabaseError:
            stats.counts["errors"] += 1
            log.exception("freshness sweep failed")

    def _beat(self, client_id: str, stats: Stats) -> None:
        """Liveness for /healthz; a database hiccup waits for the next beat."""
        try:
            close_old_connections()
            health.beat(client_id, stats)
        except Exception:  # noqa: BLE001 — liveness is best effort; the consumer goes on
            log.warning("mqtt: could not record liveness", exc_info=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        # A service manager stops the consumer with SIGTERM: finish like Ctrl-C, with the counts.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        # `kill -USR1` prints every thread's stack: what a stuck consumer is waiting for.
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        stats = Stats()
        where = broker(opts["url"])
        consumer = Consumer(stats, opts["prefix"], opts["client_id"])
        consumer.start(where)
        self.stdout.write(
            f"consuming {opts['prefix']}/stations/+/readings from {where.host}:{where.port}"
        )
        started = last_sweep = last_log = time.monotonic()
        if opts["sweep"]:
            self._sweep(stats)
        try:
            while opts["seconds"] is None or time.monotonic() - started < opts["seconds"]:
                self._beat(opts["client_id"], stats)
                time.sleep(min(health.HEARTBEAT_S, opts["seconds"] or health.HEARTBEAT_S))
                if opts["sweep"] and time.monotonic() - last_sweep >= SWEEP_SECONDS:
                    last_sweep = time.monotonic()
                    self._sweep(stats)
                if time.monotonic() - last_log >= LOG_SECONDS:
                    last_log = time.monotonic()
                    log.info("mqtt: %s", stats.line())
        except KeyboardInterrupt:
            pass
        finally:
            consumer.stop()
            stats.connected = False
            self._beat(opts["client_id"], stats)
            self.stdout.write(f"stopped: {stats.line()}")
