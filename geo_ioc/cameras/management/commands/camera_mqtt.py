"""`geo-ioc camera_mqtt`: consume camera heartbeats from the MQTT broker (MQTT_URL).

The health sweep (cameras that fell silent) is a periodic job of the workers; `--sweep` runs it
here every minute too, for a consumer without workers.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from geo_ioc.cameras import health
from geo_ioc.cameras.mqtt import TOPIC, client
from geo_ioc.sensors.mqtt import Stats, broker

SWEEP_SECONDS = 60.0


class Command(BaseCommand):
    help = "Consume heartbeats published to geo-ioc/cameras/{code}/heartbeat (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="broker, default MQTT_URL (mqtt://127.0.0.1:1883)")
        parser.add_argument("--prefix", default="geo-ioc", help="topic prefix")
        parser.add_argument("--client-id", default="geo-ioc-camera-mqtt", help="'' for none")
        parser.add_argument("--seconds", type=float, help="stop after this long (default: never)")
        parser.add_argument("--sweep", action="store_true", help="also sweep health every minute")

    def handle(self, *args: Any, **opts: Any) -> None:
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        stats = Stats()
        where = broker(opts["url"])
        consumer = client(stats, opts["prefix"], opts["client_id"])
        if where.username:
            consumer.username_pw_set(where.username, where.password)
        consumer.connect_async(where.host, where.port, keepalive=30)
        consumer.loop_start()
        self.stdout.write(
            f"consuming {TOPIC.format(prefix=opts['prefix'])} from {where.host}:{where.port}"
        )
        started, last_sweep = time.monotonic(), 0.0
        try:
            while opts["seconds"] is None or time.monotonic() - started < opts["seconds"]:
                time.sleep(min(1.0, opts["seconds"] or 1.0))
                if opts["sweep"] and time.monotonic() - last_sweep >= SWEEP_SECONDS:
                    last_sweep = time.monotonic()
                    try:
                        close_old_connections()
                        stats.counts["swept_changes"] += len(health.sweep())
                    except DatabaseError:
                        stats.counts["errors"] += 1
        except KeyboardInterrupt:
            pass
        finally:
            consumer.loop_stop()
            consumer.disconnect()
            self.stdout.write(f"stopped: {stats.line()}")
