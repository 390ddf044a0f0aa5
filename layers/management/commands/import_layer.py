"""`geo-ioc import PATH --layer SLUG`: load a vector file into a layer, all or nothing."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo_ioc.core.errors import ApiError
from layers.definitions import AccessLevel, Domain
from layers.errors import ImportRejected, RowError
from layers.generalise import describe
from layers.imports import Generalize, LayerOptions, import_file
from layers.ingest import InvalidPolicy, Mode
from layers.readers import FORMATS, ReadOptions

# How many refused rows the terminal shows; --report writes them all.
SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import a GeoPackage, zipped Shapefile, GeoJSON, FlatGeobuf or CSV (lon/lat) into a "
        "layer, reprojected to EPSG:4326, in one transaction: a failed import changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=f"one of {', '.join(FORMATS)}")
        parser.add_argument("--layer", required=True, help="slug of the layer to create or fill")
        parser.add_argument(
            "--mode",
            choices=[m.value for m in Mode],
            default=Mode.CREATE.value,
            help="create (refuse an existing layer), replace its rows, or append to them",
        )
        parser.add_argument(
            "--invalid",
            choices=[p.value for p in InvalidPolicy],
            default=InvalidPolicy.REPAIR.value,
            help="repair invalid geometries with ST_MakeValid (and store unreadable dates as "
            "null, reported per row), or reject the file for either",
        )
        parser.add_argument(
            "--generalize",
            choices=[g.value for g in Generalize],
            default=Generalize.AUTO.value,
            help="per-zoom thinning: derive it from the data (auto), keep the layer's rules, "
            "or none; edit it later with `geo-ioc generalize`",
        )
        parser.add_argument(
            "--srid",
            type=int,
            help="CRS of the data when the file has none "
            "(or overrides it), e.g. 5899 for VN-2000 / TM-3 Lâm Đồng",
        )
        parser.add_argument("--source-layer", help="layer inside a GeoPackage or zip")
        parser.add_argument("--lon", help="CSV longitude (or easting) column")
        parser.add_argument("--lat", help="CSV latitude (or northing) column")
        parser.add_argument("--title-vi")
        parser.add_argument("--title-en")
        parser.add_argument("--domain", choices=[d.value for d in Domain])
        parser.add_argument(
            "--access",
            choices=[a.value for a in AccessLevel],
            help="who may see the layer (a new layer defaults to staff)",
        )
        parser.add_argument("--min-zoom", type=int)
        parser.add_argument("--max-zoom", type=int)
        parser.add_argument("--attribution")
        parser.add_argument("--report", type=Path, help="write refused rows to this CSV file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **o: Any) -> None:
        read = ReadOptions(
            source_layer=o["source_layer"], lon=o["lon"], lat=o["lat"], srid=o["srid"]
        )
        opts = LayerOptions(
            slug=o["layer"],
            mode=Mode(o["mode"]),
            invalid=InvalidPolicy(o["invalid"]),
            title_vi=o["title_vi"],
            title_en=o["title_en"],
            domain=Domain(o["domain"]) if o["domain"] else None,
            access_level=AccessLevel(o["access"]) if o["access"] else None,
            min_zoom=o["min_zoom"],
            max_zoom=o["max_zoom"],
            attribution=o["attribution"],
            generalize=Generalize(o["generalize"]),
        )
        started = time.perf_counter()
        try:
            result = import_file(o["path"], read, opts, progress=not o["no_progress"])
        except ImportRejected as exc:
            self._refused(exc.errors, o["report"])
            raise CommandError(f"{len(exc.errors)} row(s) refused; nothing was changed.") from None
        except ApiError as exc:
            raise CommandError(exc.message) from None
        report = result.report
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{report.rows_written} of {report.rows_read} features into layer "
            f"{report.layer!r} ({result.source_crs} → EPSG:4326) in {seconds:.1f} s"
        )
        if report.repaired:
            rows = ", ".join(map(str, report.repaired[:SHOWN_ERRORS]))
            more = "…" if len(report.repaired) > SHOWN_ERRORS else ""
            self.stdout.write(
                self.style.WARNING(
                    f"repaired {len(report.repaired)} invalid geometries (rows {rows}{more})"
                )
            )
        if report.unread:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.unread)} value(s) not of their field's type, stored as null "
                    "(--invalid reject refuses the file instead):"
                )
            )
            for error in report.unread[:SHOWN_ERRORS]:
                self.stdout.write(f"  row {error.row}: {error.reason}")
        layer = result.layer
        self.stdout.write(
            self.style.SUCCESS(
                f"layer {layer.slug}: {layer.feature_count} features, extent {layer.extent}, "
                f"access {layer.access_level}"
            )
        )
        rules = describe(report.generalize)
        if rules:
            self.stdout.write("generalisation derived from the data (geo-ioc generalize to edit):")
            for line in rules:
                self.stdout.write(f"  {line}")
        if layer.access_level != AccessLevel.PUBLIC:
            self.stdout.write(
                self.style.WARNING(
                    f"access {layer.access_level}: anonymous visitors and the public map see "
                    f"nothing of it (its tiles answer 401). To publish it: "
                    f"geo-ioc publish {layer.slug}"
                )
            )

    def _refused(self, errors: list[RowError], report: Path | None) -> None:
        """Show the refused rows (all of them in the --report file)."""
        for error in errors[:SHOWN_ERRORS]:
            self.stderr.write(f"  row {error.row}: {error.reason}")
        if len(errors) > SHOWN_ERRORS:
            self.stderr.write(f"  … and {len(errors) - SHOWN_ERRORS} more")
        if report is not None:
            with report.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "reason"])
                writer.writerows((e.row, e.reason) for e in errors)
            self.stderr.write(f"  all refused rows: {report}")
