"""Exports: parse a request, plan every layer for the user, count, and write the file."""

from __future__ import annotations

import functools
import re
import shutil
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from geo_ioc.core.errors import InvalidParameter
from layers.access import User, get_visible_layer
from layers.exports.errors import ExportBusy, ExportTooLarge
from layers.exports.formats import FORMATS, Format, FormatName, format_names
from layers.exports.writer import Progress, write_export
from layers.ogc.crs import CRS84, Crs, parse_crs
from layers.ogc.params import FilterParams, parse_filters
from layers.ogc.plan import Plan, plan_read
from layers.ogc.sql import count_features

# Parameters an export keeps to re-plan it later (a job re-checks access when it runs).
FILTER_KEYS = ("bbox", "bbox-crs", "datetime", "filter", "filter-lang", "filter-crs")
_SLUG_LIST = re.compile(r"^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class ExportRequest:
    """What to export: layers, format, CRS and the filter parameters as given."""

    layers: tuple[str, ...]
    format: Format
    crs: Crs
    filter_params: dict[str, str]

    @property
    def filters(self) -> FilterParams:
        """The parsed filters (bbox, datetime, CQL2 filter…)."""
        return parse_filters(self.filter_params, extra=set())


def parse_layers(raw: str | Sequence[str]) -> tuple[str, ...]:
    """`roads` or `roads,buildings` (or a JSON list) into slugs."""
    text = raw if isinstance(raw, str) else ",".join(str(s) for s in raw)
    text = text.replace(" ", "")
    if not _SLUG_LIST.match(text):
        raise InvalidParameter(
            f"layers must be slugs separated by commas, got {text!r}.", field="layers"
        )
    return tuple(dict.fromkeys(text.split(",")))


def parse_request(layers: str | Sequence[str], params: Mapping[str, Any]) -> ExportRequest:
    """Check format, CRS and filters before anything is read."""
    slugs = parse_layers(layers)
    raw_format = str(params.get("format") or "gpkg").lower()
    try:
        fmt = FORMATS[FormatName(raw_format)]
    except ValueError:
        raise InvalidParameter(
            f"format {raw_format!r} is not offered; use one of {', '.join(format_names())}.",
            field="format",
        ) from None
    crs = parse_crs(str(params["crs"]), "crs", bare_codes=True) if params.get("crs") else CRS84
    if fmt.wgs84_only and crs.srid != 4326:
        raise InvalidParameter("KML is always in WGS 84: leave crs out or use 4326.", field="crs")
    if len(slugs) > 1 and not fmt.multi_layer:
        raise InvalidParameter(
            f"{raw_format} holds one layer; export several layers as gpkg (or shp, zipped).",
            field="format",
        )
    unknown = set(params) - {"format", "crs", "layers", *FILTER_KEYS}
    if unknown:
        raise InvalidParameter(
            f"Unknown export parameter(s): {', '.join(sorted(unknown))}.", field=sorted(unknown)[0]
        )
    filter_params = {k: str(params[k]) for k in FILTER_KEYS if params.get(k) not in (None, "")}
    request = ExportRequest(slugs, fmt, crs, filter_params)
    request.filters  # noqa: B018  (parse now: a bad bbox or filter is a 400 before any work)
    return request


def plan_export(user: User, request: ExportRequest) -> list[Plan]:
    """One plan per layer, each resolved against what the user may see."""
    filters = request.filters
    return [plan_read(user, get_visible_layer(user, slug), filters) for slug in request.layers]


def count(plans: Sequence[Plan]) -> int:
    """Features the export will write."""
    total = 0
    with connection.cursor() as cur:
        for plan in plans:
            cur.execute(count_features(plan).as_string(cur.connection), plan.bind.values)
            total += int(cur.fetchone()[0])
    return total


def file_stem(request: ExportRequest) -> str:
    """`roads_EPSG5899_20260131`: layer(s), CRS and date, safe on every file system."""
    if len(request.layers) <= 3:
        name = "+".join(request.layers)
    else:
        name = f"geo-ioc_{len(request.layers)}-layers"
    crs = "CRS84" if request.crs.srid == 4326 else f"EPSG{request.crs.srid}"
    return f"{name}_{crs}_{timezone.localdate():%Y%m%d}"


def download_name(request: ExportRequest) -> str:
    """The file name the user receives."""
    return file_stem(request) + request.format.download_extension


def export_dir() -> Path:
    """Where export files are written (GEO_IOC_EXPORT_DIR)."""
    return Path(settings.GEO_IOC_EXPORT_DIR)


def write(
    plans: Sequence[Plan], request: ExportRequest, workdir: Path, progress: Progress | None = None
) -> Path:
    """Write the export into `workdir`; the returned path is the file to hand out."""
    return write_export(plans, request.format, request.crs, workdir, file_stem(request), progress)


def export_now(user: User, request: ExportRequest) -> tuple[Path, Path]:
    """A direct download: refuse above the threshold, else write to a scratch folder.

    Returns (file, scratch folder); the caller removes the folder once the file is open.
    """
    plans = plan_export(user, request)
    total = count(plans)
    anonymous = not getattr(user, "is_authenticated", False)
    limit: int = settings.GEO_IOC_EXPORT_SYNC_MAX
    if anonymous:
        limit = min(limit, settings.GEO_IOC_EXPORT_ANON_MAX)
    if total > limit:
        raise ExportTooLarge(
            f"{total} features are more than the {limit} a direct download serves"
            + (" without an account; sign in (API token) and " if anonymous else "; ")
            + "POST /exports with the same parameters to run it as a job."
        )
    # A few at a time per process: each holds a chunk (or, for FlatGeobuf and KML, a layer).
    if not _direct_slots().acquire(timeout=settings.GEO_IOC_EXPORT_DIRECT_WAIT_SECONDS):
        raise ExportBusy("Too many direct downloads are being written; try again in a minute.")
    workdir = export_dir() / "tmp" / uuid.uuid4().hex
    try:
        return write(plans, request, workdir), workdir
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    finally:
        _direct_slots().release()


@functools.cache
def _direct_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(settings.GEO_IOC_EXPORT_DIRECT_SLOTS)
