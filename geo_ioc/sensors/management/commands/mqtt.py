"""`geo-ioc mqtt`: consume station readings from the MQTT broker (MQTT_URL).

The freshness sweep (stations that fell silent) is a periodic job of the workers
(`geo_ioc.sensors.tasks`); `--sweep` runs it here too, for a consumer without workers.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from geo_ioc.sensors import freshness
from geo_ioc.sensors.mqtt import Stats, broker, client

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60.0


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

    def handle(self, *args: Any, **opts: Any) -> None:
        # A service manager stops the consumer with SIGTERM: finish like Ctrl-C, with the counts.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        stats = Stats()
        host, port = broker(opts["url"])
        consumer = client(stats, opts["prefix"], opts["client_id"])
        consumer.connect_async(host, port, keepalive=30)
        consumer.loop_start()
        self.stdout.write(f"consuming {opts['prefix']}/stations/+/readings from {host}:{port}")
        started = last_sweep = time.monotonic()
        if opts["sweep"]:
            self._sweep(stats)
        try:
            while opts["seconds"] is None or time.monotonic() - started < opts["seconds"]:
                time.sleep(min(10.0, opts["seconds"] or 10.0))
                if opts["sweep"] and time.monotonic() - last_sweep >= SWEEP_SECONDS:
                    last_sweep = time.monotonic()
                    self._sweep(stats)
                log.info("mqtt: %s", stats.line())
        except KeyboardInterrupt:
            pass
        finally:
            consumer.loop_stop()
            consumer.disconnect()
            self.stdout.write(f"stopped: {stats.line()}")
