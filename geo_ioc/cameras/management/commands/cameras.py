"""`geo-ioc cameras export|import`: the camera registry as CSV or GeoPackage.

    geo-ioc cameras export cameras.gpkg [--with-urls]    # format from the extension (.csv/.gpkg)
    geo-ioc cameras import cameras.csv [--dry-run]

An import is all or nothing, with a report per row; URLs are read from the file (the command is
an administrator's), written to one only with --with-urls.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo_ioc.cameras import registry


def _format(path: Path, given: str | None) -> registry.Format:
    fmt = given or path.suffix.lower().lstrip(".")
    if fmt not in registry.FORMATS:
        raise CommandError(f"{path}: give a .csv or .gpkg file (or --format csv|gpkg).")
    return fmt  # type: ignore[return-value]


class Command(BaseCommand):
    help = "Export the camera registry to CSV/GeoPackage, or import one (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        out = sub.add_parser("export", help="write the registry to a file")
        out.add_argument("path", type=Path)
        out.add_argument("--format", choices=sorted(registry.FORMATS))
        out.add_argument(
            "--with-urls", action="store_true", help="include stream and snapshot URLs (secret)"
        )
        into = sub.add_parser("import", help="create and update cameras from a file")
        into.add_argument("path", type=Path)
        into.add_argument("--format", choices=sorted(registry.FORMATS))
        into.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        into.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        fmt = _format(path, opts["format"])
        if opts["action"] == "export":
            data = registry.export(fmt, urls=opts["with_urls"])
            path.write_bytes(data)
            self.stdout.write(f"{path}: {len(registry.rows(urls=False))} cameras ({fmt})")
            return
        try:
            report = registry.import_registry(
                path.read_bytes(), fmt=fmt, urls=True, dry_run=opts["dry_run"]
            )
        except (OSError, registry.RegistryFileError) as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            for row in report.rows:
                detail = "; ".join(f"{e['field']}: {e['message']}" for e in row.errors)
                detail = detail or ", ".join(row.changed)
                self.stdout.write(f"{row.row:>5} {row.code:<16} {row.action:<10} {detail}")
        summary = report.as_dict()
        line = (
            f"created {summary['created']}, updated {summary['updated']}, "
            f"unchanged {summary['unchanged']}, errors {summary['error']}"
        )
        if not report.ok:
            raise CommandError(f"{line}: nothing was imported.")
        self.stdout.write(line + (" (dry run: nothing written)" if report.dry_run else ""))
