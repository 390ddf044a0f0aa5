"""`geo-ioc layers`: the catalogue with feature counts and extents."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from layers.models import Layer
from layers.services import refresh_stats


def _extent(extent: list[float] | None) -> str:
    if not extent:
        return "(empty)"
    return "{:.4f},{:.4f} → {:.4f},{:.4f}".format(*extent)


class Command(BaseCommand):
    help = "List the layer catalogue with feature counts and extents (EPSG:4326)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument(
            "--refresh", action="store_true", help="recount features and extents first"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        layers = list(Layer.objects.all())
        if opts["refresh"]:
            layers = [refresh_stats(layer) for layer in layers]
        if opts["json"]:
            rows = [
                {
                    "slug": x.slug,
                    "title_en": x.title_en,
                    "domain": x.domain,
                    "geometry_type": x.geometry_type,
                    "access_level": x.access_level,
                    "synthetic": x.synthetic,
                    "feature_count": x.feature_count,
                    "extent": x.extent,
                }
                for x in layers
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        header = (
            f"{'slug':<20} {'domain':<16} {'geometry':<16} {'access':<10} {'features':>8}  extent"
        )
        self.stdout.write(header)
        self.stdout.write("-" * (len(header) + 36))
        for x in layers:
            mark = " *" if x.synthetic else ""
            count = "?" if x.feature_count is None else str(x.feature_count)
            self.stdout.write(
                f"{x.slug:<20} {x.domain:<16} {x.geometry_type:<16} {x.access_level:<10} "
                f"{count:>8}  {_extent(x.extent)}{mark}"
            )
        total = sum(x.feature_count or 0 for x in layers)
        self.stdout.write(f"{len(layers)} layers, {total} features (* synthetic data)")
