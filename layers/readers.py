"""Read an input file into a GeoDataFrame: GeoPackage, Shapefile, GeoJSON, FlatGeobuf, CSV.

Vector formats go through pyogrio (GDAL); CSV goes through pandas with a longitude and a
latitude column checked row by row, so a bad coordinate is a per-row error that refuses
the whole file before anything is written.
"""

from __future__ import annotations

import importlib.util
import math
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from layers.errors import ImportRejected, InvalidInput, RowError

FORMATS: dict[str, str] = {
    ".gpkg": "GeoPackage",
    ".zip": "zipped Shapefile",
    ".shp": "Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".fgb": "FlatGeobuf",
    ".csv": "CSV with longitude/latitude columns",
}
# Column names recognised as coordinates in a CSV, compared case-insensitively.
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")
# Arrow makes pyogrio several times faster on big files; it is optional.
USE_ARROW = importlib.util.find_spec("pyarrow") is not None


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: which layer, which coordinate columns, which CRS."""

    source_layer: str | None = None
    lon: str | None = None
    lat: str | None = None
    srid: int | None = None


def supported_formats() -> str:
    """The supported extensions, for error messages."""
    return ", ".join(f"{ext} ({name})" for ext, name in FORMATS.items())


def read_file(path: Path, options: ReadOptions | None = None) -> gpd.GeoDataFrame:
    """Read a supported file into a GeoDataFrame with a CRS (not yet reprojected)."""
    options = options or ReadOptions()
    if not path.is_file():
        raise InvalidInput(f"No such file: {path}.")
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise InvalidInput(
            f"Unsupported file type {ext or '(none)'!r} for {path.name}; "
            f"supported: {supported_formats()}."
        )
    crs = _srid_crs(options.srid)
    if ext == ".csv":
        return read_csv(path, options.lon, options.lat, crs or CRS.from_epsg(4326))
    if options.lon or options.lat:
        raise InvalidInput("--lon and --lat apply to CSV files only.")
    if ext == ".gpkg":
        frame = _read_ogr(str(path), _gpkg_layer(path, options.source_layer))
    elif ext == ".zip":
        frame = _read_ogr(_zipped_shapefile(path, options.source_layer), None)
    else:
        if options.source_layer:
            raise InvalidInput("--source-layer applies to GeoPackages and zipped Shapefiles only.")
        frame = _read_ogr(str(path), None)
    return _with_crs(frame, crs)


def _srid_crs(srid: int | None) -> CRS | None:
    """The CRS named by --srid, or None; an unknown code is an error."""
    if srid is None:
        return None
    try:
        return CRS.from_epsg(srid)
    except CRSError:
        raise InvalidInput(
            f"Unknown SRID {srid}; give an EPSG code such as 4326 or 5899."
        ) from None


def _with_crs(frame: gpd.GeoDataFrame, crs: CRS | None) -> gpd.GeoDataFrame:
    """Assign (or override) the CRS from --srid; a file without one needs --srid."""
    if crs is not None:
        return frame.set_crs(crs, allow_override=True)
    if frame.crs is None:
        raise InvalidInput("The file has no coordinate reference system; give one with --srid.")
    return frame


# GDAL's word for a value it could not read as the field's type (it reads it as null).
_INVALID_CONTENT = re.compile(r"Invalid content for record (\d+) in column (.+?): (.*)", re.S)
# `frame.attrs` key of the values that are not of their declared type: [(row, column, text)].
UNREAD_VALUES = "unread_values"


def _read_ogr(source: str, layer: str | None) -> gpd.GeoDataFrame:
    """Read one layer through pyogrio; GDAL errors become InvalidInput.

    A date/time field keeps its type: a value GDAL cannot read is null in the frame and listed
    in `frame.attrs[UNREAD_VALUES]` (the import reports it per row, or refuses the file); a
    field that came back as text is parsed here the same way, never left as text.
    """
    unread: list[tuple[int, str, str]] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = pyogrio.read_dataframe(source, layer=layer, use_arrow=USE_ARROW)
            info = pyogrio.read_info(source, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise InvalidInput(f"Cannot read {source}: {exc}") from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InvalidInput(f"{source} has no geometry column.")
    for warning in caught:
        found = _INVALID_CONTENT.match(str(warning.message))
        if found:
            unread.append((int(found[1]), found[2], found[3].strip()))
    declared = {
        str(name): str(dtype) for name, dtype in zip(info["fields"], info["dtypes"], strict=True)
    }
    for name, dtype in declared.items():
        if dtype.startswith("datetime64") and name in frame.columns:
            frame[name], bad = _as_timestamps(frame[name])
            unread += [(row, name, text) for row, text in bad]
    frame.attrs[UNREAD_VALUES] = sorted(unread)
    return frame


def _as_timestamps(column: pd.Series) -> tuple[pd.Series, list[tuple[int, str]]]:
    """A declared date/time column as timestamps; values that do not parse become NaT."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column, []
    parsed = pd.to_datetime(column, errors="coerce", format="mixed")
    bad = column.notna() & parsed.isna()
    rows = [(int(i) + 1, str(column.iloc[i])) for i in np.flatnonzero(bad.to_numpy())]
    return parsed, rows


def _layer_names(source: str) -> list[str]:
    """Names of the layers in an OGR data source."""
    try:
        return [str(name) for name, _ in pyogrio.list_layers(source)]
    except DataSourceError as exc:
        raise InvalidInput(f"Cannot read {source}: {exc}") from None


def _gpkg_layer(path: Path, wanted: str | None) -> str:
    """The GeoPackage layer to read: the named one, or the only one."""
    names = _layer_names(str(path))
    return _choose(names, wanted, f"{path.name} has layers", "choose one with --source-layer")


def _choose(names: list[str], wanted: str | None, what: str, hint: str) -> str:
    """Pick `wanted` among `names`, or the only name; otherwise an error listing them."""
    if wanted is not None:
        if wanted not in names:
            raise InvalidInput(f"No layer {wanted!r}: {what} {', '.join(names) or '(none)'}.")
        return wanted
    if len(names) == 1:
        return names[0]
    if not names:
        raise InvalidInput(f"{what} (none): nothing to import.")
    raise InvalidInput(f"{what} {', '.join(names)}; {hint}.")


def _zipped_shapefile(path: Path, wanted: str | None) -> str:
    """A GDAL /vsizip/ path to the Shapefile inside a zip (named by --source-layer if several)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".shp")]
    except zipfile.BadZipFile:
        raise InvalidInput(f"{path.name} is not a valid zip file.") from None
    by_name = {PurePosixPath(m).stem: m for m in members}
    if not members:
        raise InvalidInput(f"{path.name} contains no .shp file.")
    chosen = _choose(
        sorted(by_name), wanted, f"{path.name} has Shapefiles", "choose one with --source-layer"
    )
    # GDAL reads the .prj (CRS) and .cpg (text encoding) beside the .shp inside the archive.
    return f"/vsizip/{path.resolve()}/{by_name[chosen]}"


def read_csv(path: Path, lon: str | None, lat: str | None, crs: CRS) -> gpd.GeoDataFrame:
    """Read a CSV with coordinate columns into point features; bad coordinates refuse the file."""
    header = _csv_frame(path, nrows=0)
    lon_col = _coordinate_column(list(header.columns), lon, LON_NAMES, "longitude", "--lon")
    lat_col = _coordinate_column(list(header.columns), lat, LAT_NAMES, "latitude", "--lat")
    if lon_col == lat_col:
        raise InvalidInput(f"Longitude and latitude cannot both be column {lon_col!r}.")
    # Coordinates are read as text so that "abc" reaches the row check instead of NaN.
    frame = _csv_frame(path, dtype={lon_col: str, lat_col: str})
    xs, ys = _coordinates(frame[lon_col].tolist(), frame[lat_col].tolist(), crs)
    attributes = frame.drop(columns=[lon_col, lat_col])
    return gpd.GeoDataFrame(attributes, geometry=shapely.points(xs, ys), crs=crs)


def _csv_frame(path: Path, **kwargs: Any) -> pd.DataFrame:
    """pandas.read_csv with a BOM-tolerant UTF-8 decoding; parse errors are InvalidInput."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInput(f"Cannot read {path.name} as UTF-8 CSV: {exc}") from None


def _coordinate_column(
    columns: list[str], given: str | None, candidates: tuple[str, ...], what: str, option: str
) -> str:
    """The column holding one coordinate: the one given, or the only recognised name."""
    by_lower: dict[str, list[str]] = {}
    for col in columns:
        by_lower.setdefault(str(col).strip().lower(), []).append(str(col))
    wanted = [given.strip().lower()] if given else list(candidates)
    found = [col for name in wanted for col in by_lower.get(name, [])]
    if len(found) == 1:
        return found[0]
    listed = ", ".join(map(str, columns))
    if not found:
        hint = f"no column {given!r}" if given else f"no {what} column ({'/'.join(candidates)})"
        raise InvalidInput(f"{hint} in the CSV (columns: {listed}); name it with {option}.")
    raise InvalidInput(f"Several {what} columns ({', '.join(found)}); choose one with {option}.")


def _coordinates(lons: list[Any], lats: list[Any], crs: CRS) -> tuple[list[float], list[float]]:
    """Parse and check every coordinate pair; raise ImportRejected listing each bad row."""
    # always_xy: x is easting/longitude whatever axis order the CRS declares (EPSG:4326 is lat/lon).
    to_wgs84 = Transformer.from_crs(crs, 4326, always_xy=True)
    xs: list[float] = []
    ys: list[float] = []
    errors: list[RowError] = []
    for i, (raw_x, raw_y) in enumerate(zip(lons, lats, strict=True)):
        x, y, reason = _parse_pair(raw_x, raw_y, to_wgs84)
        if reason:
            errors.append(RowError(i + 1, reason))
        xs.append(x)
        ys.append(y)
    if errors:
        raise ImportRejected(errors)
    return xs, ys


def _parse_pair(raw_x: Any, raw_y: Any, to_wgs84: Transformer) -> tuple[float, float, str]:
    """One coordinate pair as floats, with a reason when it is unusable ('' when fine)."""
    x, x_reason = _number(raw_x, "longitude")
    y, y_reason = _number(raw_y, "latitude")
    if x_reason or y_reason:
        return x, y, "; ".join(r for r in (x_reason, y_reason) if r)
    lon, lat = to_wgs84.transform(x, y)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return x, y, f"coordinates ({raw_x}, {raw_y}) cannot be transformed to WGS 84"
    if not (-180.0 <= lon <= 180.0):
        return x, y, f"longitude {raw_x} is outside -180…180 degrees"
    if not (-90.0 <= lat <= 90.0):
        return x, y, f"latitude {raw_y} is outside -90…90 degrees"
    return x, y, ""


def _number(raw: Any, what: str) -> tuple[float, str]:
    """A finite float, or NaN with a reason."""
    text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
    if not text:
        return math.nan, f"missing {what}"
    try:
        value = float(text)
    except ValueError:
        return math.nan, f"{what} {text!r} is not a number"
    if not math.isfinite(value):
        return math.nan, f"{what} {text!r} is not a finite number"
    return value, ""
