"""`geo-ioc simulate`: publish plausible readings for the demo stations, to keep the demo alive."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo_ioc.sensors.models import Station
from geo_ioc.sensors.mqtt import broker
from geo_ioc.sensors.services import ingest
from geo_ioc.sensors.simulate import UNITS, readings


class Command(BaseCommand):
    help = "Publish simulated readings (MQTT, or straight into the database with --direct)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds")
        parser.add_argument("--rounds", type=int, default=0, help="stop after N rounds (0: never)")
        parser.add_argument("--seed", type=int, default=672)
        parser.add_argument("--direct", action="store_true", help="no broker: ingest directly")
        parser.add_argument("--url", help="broker, default MQTT_URL")
        parser.add_argument("--prefix", default="geo-ioc", help="topic prefix")

    def handle(self, *args: Any, **opts: Any) -> None:
        stations = list(Station.objects.values_list("code", "kind"))
        publisher: mqtt.Client | None = None
        if not opts["direct"]:
            publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
            where = broker(opts["url"])
            host, port = where.host, where.port
            if where.username:
                publisher.username_pw_set(where.username, where.password)
            try:
                publisher.connect(host, port)
            except OSError as exc:
                raise CommandError(
                    f"no MQTT broker at {host}:{port} ({exc}); try --direct"
                ) from None
            publisher.loop_start()
        n = 0
        try:
            while not opts["rounds"] or n < opts["rounds"]:
                now = datetime.now(UTC).replace(second=0, microsecond=0)
                for code, kind in stations:
                    batch = [
                        {"time": now.isoformat(), "pollutant": p, "value": v, "unit": UNITS[p]}
                        for p, v in readings(opts["seed"], code, kind, now).items()
                    ]
                    if publisher is None:
                        ingest(batch, station=code, synthetic=True)
                    else:
                        topic = f"{opts['prefix']}/stations/{code}/readings"
                        publisher.publish(topic, json.dumps(batch), qos=1).wait_for_publish(10)
                n += 1
                self.stdout.write(f"round {n}: {len(stations)} stations at {now:%H:%M}")
                if not opts["rounds"] or n < opts["rounds"]:
                    time.sleep(opts["interval"])
        except KeyboardInterrupt:
            pass
        finally:
            if publisher is not None:
                publisher.loop_stop()
                publisher.disconnect()
