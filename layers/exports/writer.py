"""Write planned layer reads to a file with GDAL (pyogrio), chunk by chunk.

PostGIS does the filtering and the reprojection (`ST_Transform` between EPSG codes, the same
operation pyproj and GDAL pick); rows arrive from the layer's source as WKB in keyset-paged
chunks, become a GeoDataFrame and are appended to the file, so memory stays flat for
appendable formats.
"""

from __future__ import annotations

import shutil
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from layers.definitions import FieldDef, FieldType
from layers.exports.formats import Format, FormatName
from layers.ogc.crs import Crs
from layers.ogc.plan import Plan

CHUNK = 10_000
CSV_CRS_COLUMN = "wkt_crs"
Progress = Callable[[int], None]

_GEOMETRY_TYPES = {
    "Point": "Point",
    "LineString": "LineString",
    "Polygon": "Polygon",
    "MultiPoint": "MultiPoint",
    "MultiLineString": "MultiLineString",
    "MultiPolygon": "MultiPolygon",
}


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return None if value is None else str(value)


def _column(values: Sequence[Any], ftype: FieldType, fmt: Format) -> Any:
    """A typed pandas column; nullable types keep NULLs as NULLs in every format."""
    if ftype is FieldType.INTEGER:
        return pd.array(values, dtype="Int64")
    if ftype is FieldType.NUMBER:
        return pd.array(values, dtype="Float64")
    if ftype is FieldType.BOOLEAN:
        return pd.array(values, dtype="boolean")
    if ftype is FieldType.DATETIME and fmt.typed_datetimes:
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True)
    if ftype in {FieldType.DATETIME, FieldType.DATE}:
        return np.array([_iso(v) for v in values], dtype=object)
    return np.array(values, dtype=object)


def frame(
    rows: list[tuple[Any, ...]], fields: Sequence[FieldDef], fmt: Format, crs: Crs
) -> gpd.GeoDataFrame:
    """Rows (id, fields…, wkb) as a GeoDataFrame in `crs`."""
    columns: list[Sequence[Any]] = (
        list(zip(*rows, strict=True)) if rows else [()] * (len(fields) + 2)
    )
    data: dict[str, Any] = {"id": pd.array(columns[0], dtype="Int64")}
    for f, values in zip(fields, columns[1:-1], strict=True):
        data[f.name] = _column(values, f.type, fmt)
    if fmt.name is FormatName.CSV:
        data[CSV_CRS_COLUMN] = np.array([crs.epsg] * len(columns[0]), dtype=object)
    wkb = np.array([bytes(b) if b is not None else None for b in columns[-1]], dtype=object)
    return gpd.GeoDataFrame(data, geometry=shapely.from_wkb(wkb), crs=crs.epsg)


def _write(
    gdf: gpd.GeoDataFrame, path: Path, layer: str, fmt: Format, gtype: str | None, append: bool
) -> None:
    kwargs: dict[str, Any] = {}
    if gtype is not None:
        kwargs["geometry_type"] = gtype
    with warnings.catch_warnings():
        # Shapefile field names are cut to 10 characters; GDAL warns about each one.
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(
            gdf,
            path,
            layer=layer,
            driver=fmt.driver,
            append=append,
            layer_options=fmt.layer_options or None,
            dataset_options=fmt.dataset_options or None,
            **kwargs,
        )


def _append_csv(
    gdf: gpd.GeoDataFrame, path: Path, layer: str, fmt: Format, gtype: str | None
) -> None:
    """GDAL's CSV driver cannot append to a file: write the chunk alone, add its data lines."""
    part = path.with_name(f"{path.stem}.part{path.suffix}")
    options = {**fmt.layer_options, "WRITE_BOM": "NO"}
    _write(gdf, part, layer, replace(fmt, layer_options=options), gtype, append=False)
    with part.open("rb") as src, path.open("ab") as dst:
        src.readline()  # the header line, already at the top of the file
        shutil.copyfileobj(src, dst, 1 << 20)
    part.unlink()


def write_layer(
    plan: Plan,
    fmt: Format,
    crs: Crs,
    path: Path,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> int:
    """Write one planned layer into `path` (a new layer of it); returns the feature count."""
    gtype = _GEOMETRY_TYPES.get(plan.layer.geometry_type)
    if gtype is None and fmt.name is not FormatName.SHP:
        gtype = "Unknown"
    written = 0
    pending: list[gpd.GeoDataFrame] = []
    layer_exists = False
    for rows in plan.source.feature_chunks(plan, crs, chunk):
        gdf = frame(rows, plan.fields, fmt, crs)
        if fmt.name is FormatName.CSV and layer_exists:
            _append_csv(gdf, path, plan.layer.slug, fmt, gtype)
        elif fmt.appendable:
            _write(gdf, path, plan.layer.slug, fmt, gtype, append=layer_exists)
            layer_exists = True
        else:
            pending.append(gdf)
        written += len(rows)
        if progress:
            progress(len(rows))
    if not fmt.appendable and pending:
        whole = gpd.GeoDataFrame(pd.concat(pending, ignore_index=True), crs=crs.epsg)
        _write(whole, path, plan.layer.slug, fmt, gtype, append=False)
        layer_exists = True
    if not layer_exists:
        _write(
            frame([], plan.fields, fmt, crs),
            path,
            plan.layer.slug,
            fmt,
            gtype or "Point",
            append=False,
        )
    return written


def write_export(
    plans: Sequence[Plan],
    fmt: Format,
    crs: Crs,
    workdir: Path,
    stem: str,
    progress: Progress | None = None,
) -> Path:
    """Write all layers into `workdir` and return the file to hand out (a Shapefile is zipped)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if fmt.name is FormatName.SHP:
        shp_dir = workdir / stem
        shp_dir.mkdir(exist_ok=True)
        for plan in plans:
            write_layer(plan, fmt, crs, shp_dir / f"{plan.layer.slug}.shp", progress)
        target = workdir / f"{stem}.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(shp_dir.iterdir()):
                zf.write(part, arcname=part.name)
        return target
    target = workdir / f"{stem}{fmt.extension}"
    for plan in plans:
        write_layer(plan, fmt, crs, target, progress)
    return target
