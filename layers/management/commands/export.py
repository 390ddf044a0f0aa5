"""`geo-ioc export LAYER --format gpkg --crs 5899`: an export job run in the terminal."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from geo_ioc.core.errors import ApiError
from layers.exports import jobs, services
from layers.exports.formats import format_names
from layers.jobs import ExportJob


class Command(BaseCommand):
    help = (
        "Export one or several layers to a file (gpkg, shp, geojson, csv, fgb, kml) in WGS 84 "
        "or VN-2000, with the same filters as the API; runs as an export job with a progress bar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layers", help="a layer slug, or several separated by commas (gpkg)")
        parser.add_argument("--format", choices=format_names(), default="gpkg")
        parser.add_argument(
            "--crs", default="4326", help="EPSG code or URI, e.g. 5899 (VN-2000 / TM-3 Lâm Đồng)"
        )
        parser.add_argument("--bbox", help="minx,miny,maxx,maxy (in --bbox-crs, default CRS84)")
        parser.add_argument("--bbox-crs", help="CRS of --bbox")
        parser.add_argument("--filter", help="a CQL2-text filter, e.g. \"highway = 'primary'\"")
        parser.add_argument("--filter-crs", help="CRS of the filter's geometries")
        parser.add_argument("--datetime", help="instant or interval on the layer's time field")
        parser.add_argument("-o", "--output", type=Path, help="file or folder to write to")
        parser.add_argument(
            "--as", dest="as_user", help="apply this user's access (default: everything)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **o: Any) -> None:
        params = {
            "format": o["format"],
            "crs": o["crs"],
            "bbox": o["bbox"],
            "bbox-crs": o["bbox_crs"],
            "filter": o["filter"],
            "filter-crs": o["filter_crs"],
            "datetime": o["datetime"],
        }
        user = None
        if o["as_user"]:
            user = get_user_model().objects.filter(username=o["as_user"]).first()
            if user is None:
                raise CommandError(f"No user {o['as_user']!r}.")
        try:
            request = services.parse_request(o["layers"], {k: v for k, v in params.items() if v})
            job = jobs.create(user, request)
        except ApiError as exc:
            raise CommandError(exc.message) from None
        started = time.perf_counter()
        bar = tqdm(
            total=None,
            unit=" features",
            disable=o["no_progress"],
            # The command's own stderr, so call_command(stderr=…) captures the bar too.
            file=getattr(self.stderr, "_out", None),
            desc=f"{','.join(request.layers)} → {o['format']}",
        )

        def on_total(total: int) -> None:
            bar.reset(total=total)

        try:
            job = jobs.run(job.pk, on_total=on_total, on_progress=bar.update)
        finally:
            bar.close()
        if job.status != ExportJob.Status.DONE:
            raise CommandError(f"export failed: {job.error}")
        target = self._target(o["output"], job.file_name)
        shutil.move(job.file_path, target)
        shutil.rmtree(Path(job.file_path).parent, ignore_errors=True)
        ExportJob.objects.filter(pk=job.pk).update(file_path=str(target))
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{job.features_done} features in {seconds:.1f} s → {target} "
                f"({target.stat().st_size / 1e6:.1f} MB, EPSG:{job.crs})"
            )
        )

    @staticmethod
    def _target(output: Path | None, name: str) -> Path:
        if output is None:
            return Path.cwd() / name
        if output.is_dir():
            return output / name
        output.parent.mkdir(parents=True, exist_ok=True)
        return output
