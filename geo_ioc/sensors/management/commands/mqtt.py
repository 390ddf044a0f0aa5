"""`geo-ioc mqtt`: consume station readings from the MQTT broker (MQTT_URL)."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from geo_ioc.sensors.mqtt import Stats, broker, client

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Consume readings published to geo-ioc/stations/{code}/readings (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="broker, default MQTT_URL (mqtt://127.0.0.1:1883)")
        parser.add_argument("--prefix", default="geo-ioc", help="topic prefix")
        parser.add_argument("--seconds", type=float, help="stop after this long (default: never)")

    def handle(self, *args: Any, **opts: Any) -> None:
        # A service manager stops the consumer with SIGTERM: finish like Ctrl-C, with the counts.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        stats = Stats()
        host, port = broker(opts["url"])
        consumer = client(stats, opts["prefix"])
        consumer.connect_async(host, port, keepalive=30)
        consumer.loop_start()
        self.stdout.write(f"consuming {opts['prefix']}/stations/+/readings from {host}:{port}")
        started = time.monotonic()
        try:
            while opts["seconds"] is None or time.monotonic() - started < opts["seconds"]:
                time.sleep(min(10.0, opts["seconds"] or 10.0))
                log.info("mqtt: %s", stats.line())
        except KeyboardInterrupt:
            pass
        finally:
            consumer.loop_stop()
            consumer.disconnect()
            self.stdout.write(f"stopped: {stats.line()}")
