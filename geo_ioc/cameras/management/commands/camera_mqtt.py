"""`geo-ioc camera_mqtt`: consume camera heartbeats from the MQTT broker (MQTT_URL).

The health sweep (cameras that fell silent) and the silent-camera rules' sweep are periodic jobs
of the workers; `--sweep` runs both here too (every `GEO_IOC_SWEEP_SECONDS`), for a consumer
without workers.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from geo_ioc.cameras import health, rules
from geo_ioc.cameras.mqtt import TOPIC, consumer
from geo_ioc.core.mqtt import Stats, broker

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Consume heartbeats published to geo-ioc/cameras/{code}/heartbeat (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="broker, default MQTT_URL (mqtt://127.0.0.1:1883)")
        parser.add_argument("--prefix", default="geo-ioc", help="topic prefix")
        parser.add_argument("--client-id", default="geo-ioc-camera-mqtt", help="'' for none")
        parser.add_argument("--seconds", type=float, help="stop after this long (default: never)")
        parser.add_argument(
            "--sweep", action="store_true", help="also sweep health and silent-camera rules"
        )

    def _sweep(self, stats: Stats) -> None:
        """Statuses of cameras that fell silent, then the silent-camera rules.

        A database hiccup waits for the next sweep.
        """
        try:
            close_old_connections()
            stats.counts["swept_changes"] += len(health.sweep())
            rules.sweep_silent()
        except DatabaseError:
            stats.counts["errors"] += 1
            log.exception("camera sweep failed")

    def handle(self, *args: Any, **opts: Any) -> None:
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        stats = Stats()
        where = broker(opts["url"])
        heartbeats = consumer(stats, opts["prefix"], opts["client_id"])
        heartbeats.start(where)
        self.stdout.write(
            f"consuming {TOPIC.format(prefix=opts['prefix'])} from {where.host}:{where.port}",
        )
        self.stdout.flush()
        every = float(settings.GEO_IOC_SWEEP_SECONDS)
        started, last_sweep = time.monotonic(), 0.0
        try:
            while opts["seconds"] is None or time.monotonic() - started < opts["seconds"]:
                time.sleep(min(1.0, every, opts["seconds"] or 1.0))
                if opts["sweep"] and time.monotonic() - last_sweep >= every:
                    last_sweep = time.monotonic()
                    self._sweep(stats)
        except KeyboardInterrupt:
            pass
        finally:
            heartbeats.stop()
            self.stdout.write(f"stopped: {stats.line()}")
