"""`geo-ioc alerts sweep [--every SECONDS]`: find what only time reveals (silent stations)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from geo_ioc.operations.models import Alert
from geo_ioc.operations.rulekinds import sweep_all


class Command(BaseCommand):
    help = "Sweep the rules that absence triggers (a station silent for N minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep"])
        parser.add_argument("--every", type=float, help="repeat every N seconds (default: once)")

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            before = Alert.objects.exclude(status=Alert.Status.RESOLVED).count()
            with transaction.atomic():
                sweep_all()
            after = Alert.objects.exclude(status=Alert.Status.RESOLVED).count()
            self.stdout.write(f"swept: {after} open alerts ({after - before:+d})")
            if not opts["every"]:
                return
            time.sleep(opts["every"])
