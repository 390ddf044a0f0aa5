"""`geo-ioc socioeconomic demo|upload FILE|maps`: the indicator registry and its data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo_ioc.socioeconomic import demo_indicators, maps, uploads
from layers.errors import ImportRejected


class Command(BaseCommand):
    help = "Load the demo indicators, upload a CSV/XLSX of values, or refresh the indicator maps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["demo", "upload", "maps"])
        parser.add_argument("path", nargs="?", help="CSV or XLSX of values (upload)")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "demo":
            counts = demo_indicators.load(opts["today"] or dt.date.today())
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
            self.stdout.write(f"maps: {maps.refresh_all()}")
        elif opts["action"] == "maps":
            self.stdout.write(f"maps: {maps.refresh_all()}")
        else:
            if not opts["path"]:
                raise CommandError("upload needs a FILE")
            try:
                report = uploads.upload(Path(opts["path"]), user=None)
            except ImportRejected as exc:
                for e in exc.errors:
                    self.stderr.write(f"row {e.row}: {e.reason}")
                raise CommandError(exc.message) from None
            self.stdout.write(f"{report.rows} values written")
