"""`geo-ioc units import FILE` / `geo-ioc units demo`: administrative units and their crosswalk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo_ioc.socioeconomic import demo_units
from geo_ioc.socioeconomic.units import import_units
from layers.errors import ImportRejected, InvalidInput


class Command(BaseCommand):
    help = "Import a province's unit boundaries from a file, or load the demo's units."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "demo"])
        parser.add_argument("path", nargs="?", help="GeoPackage, GeoJSON, zipped Shapefile …")
        parser.add_argument("--srid", type=int, help="CRS of a file that does not declare one")
        parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic units")
        parser.add_argument("--data-dir", default=settings.GEO_IOC_DATA_DIR)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "demo":
            counts = demo_units.load(Path(opts["data_dir"]), opts["seed"])
            self.stdout.write(f"units: {counts['units']}, crosswalk rows: {counts['crosswalk']}")
            return
        if not opts["path"]:
            raise CommandError("units import needs a FILE")
        try:
            report = import_units(Path(opts["path"]), opts["srid"])
        except ImportRejected as exc:
            for e in exc.errors:
                self.stderr.write(f"row {e.row}: {e.reason}")
            raise CommandError(exc.message) from None
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{report.rows} units: {report.created} new, {report.updated} updated,"
            f" {len(report.repaired)} geometries repaired"
        )
