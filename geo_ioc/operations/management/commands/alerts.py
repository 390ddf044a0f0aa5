"""`geo-ioc alerts sweep`: find what only time reveals (silent stations), once.

Workers (`geo-ioc worker`) run the same sweep every GEO_IOC_SWEEP_SECONDS as a periodic job;
this command is for a one-off run (`--every` repeats it in the terminal, without a worker).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from geo_ioc.operations.tasks import sweep_alerts


class Command(BaseCommand):
    help = "Sweep the rules that absence triggers (a station silent for N minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep"])
        parser.add_argument("--every", type=float, help="repeat every N seconds (default: once)")

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            before, after = sweep_alerts()
            self.stdout.write(f"swept: {after} open alerts ({after - before:+d})")
            if not opts["every"]:
                return
            time.sleep(opts["every"])
