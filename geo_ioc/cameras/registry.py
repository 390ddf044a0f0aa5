"""The camera registry as a file: export to CSV or GeoPackage, and import one back.

One row per camera, keyed by `code`; the position as `lon`/`lat` (CSV) or a point geometry in
EPSG:4326 (GeoPackage, any CRS on import); image-space fields (masks, region, lines) as JSON text.
Stream and snapshot URLs are written only when asked (admins) and read only from an admin's file.

An import is all or nothing: every row is checked first and the report lists each one (created,
updated, unchanged, or its errors); one bad row and nothing is written. A column missing from the
file leaves that field as it is; the fields of view of moved or turned cameras are recomputed.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import pyogrio
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from shapely.geometry import Point as ShapelyPoint

from geo_ioc.cameras import health
from geo_ioc.cameras.coverage import refresh_fov
from geo_ioc.cameras.models import Camera

Format = Literal["csv", "gpkg"]
FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
}
LAYER_NAME = "cameras"
MAX_ROWS = 5000
# Columns in file order (lon/lat are the geometry in a GeoPackage).
PLAIN = (
    "code",
    "name",
    "kind",
    "owner_unit",
    "road_name",
    "heading_deg",
    "fov_deg",
    "range_m",
    "mount_height_m",
    "expected_fps",
    "in_maintenance",
)
JSON_FIELDS = ("privacy_masks", "analysis_region", "counting_lines")
URL_FIELDS = ("stream_url", "snapshot_url")
FOV_INPUTS = ("heading_deg", "fov_deg", "range_m", "lon", "lat")


class RegistryFileError(ValueError):
    """The file as a whole cannot be read (not the format, no code column, too many rows)."""


# --- export -----------------------------------------------------------------------------------


def rows(*, urls: bool) -> list[dict[str, Any]]:
    """Every camera as a flat row, in code order (URLs only if `urls`)."""
    out = []
    for cam in Camera.objects.order_by("code"):
        row: dict[str, Any] = {name: getattr(cam, name) for name in PLAIN}
        row["lon"], row["lat"] = round(cam.geom.x, 7), round(cam.geom.y, 7)
        for name in JSON_FIELDS:
            row[name] = json.dumps(getattr(cam, name), ensure_ascii=False, separators=(",", ":"))
        if urls:
            for name in URL_FIELDS:
                row[name] = getattr(cam, name)
        out.append(row)
    return out


def _columns(urls: bool) -> list[str]:
    return [*PLAIN, "lon", "lat", *JSON_FIELDS, *(URL_FIELDS if urls else ())]


def export_csv(*, urls: bool) -> bytes:
    """The registry as UTF-8 CSV (with a BOM, so spreadsheets read Vietnamese names right)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=_columns(urls), lineterminator="\n")
    writer.writeheader()
    for row in rows(urls=urls):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_gpkg(*, urls: bool) -> bytes:
    """The registry as a GeoPackage with one point layer `cameras` in EPSG:4326."""
    data = rows(urls=urls)
    columns = [c for c in _columns(urls) if c not in ("lon", "lat")]
    frame = pd.DataFrame(data, columns=[*columns, "lon", "lat"])
    frame["heading_deg"] = frame["heading_deg"].astype("Int32")
    frame["fov_deg"] = frame["fov_deg"].astype("Int32")
    geometry = [ShapelyPoint(lon, lat) for lon, lat in zip(frame["lon"], frame["lat"], strict=True)]
    layer = gpd.GeoDataFrame(frame[columns], geometry=geometry, crs="EPSG:4326")
    buf = io.BytesIO()
    pyogrio.write_dataframe(layer, buf, layer=LAYER_NAME, driver="GPKG", geometry_type="Point")
    return buf.getvalue()


def export(fmt: Format, *, urls: bool) -> bytes:
    """The registry in a format."""
    return export_csv(urls=urls) if fmt == "csv" else export_gpkg(urls=urls)


# --- import -----------------------------------------------------------------------------------


class CameraRow(BaseModel):
    """One row of a registry file, checked (absent columns stay None: the field is not touched)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: Camera.Kind | None = None
    owner_unit: str | None = Field(default=None, max_length=200)
    road_name: str | None = Field(default=None, max_length=200)
    heading_deg: int | None = Field(default=None, ge=0, lt=360)
    fov_deg: int | None = Field(default=None, ge=1, le=360)
    range_m: float | None = Field(default=None, gt=0, le=2000)
    mount_height_m: float | None = Field(default=None, ge=0, le=100)
    expected_fps: float | None = Field(default=None, gt=0, le=240)
    in_maintenance: bool | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    privacy_masks: list[list[list[float]]] | None = None
    analysis_region: list[list[float]] | None = None
    counting_lines: list[dict[str, Any]] | None = None
    stream_url: str | None = Field(default=None, max_length=500)
    snapshot_url: str | None = Field(default=None, max_length=500)

    @field_validator(*JSON_FIELDS, mode="before")
    @classmethod
    def _json_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else []
        return value

    @field_validator("privacy_masks")
    @classmethod
    def _masks(cls, value: list[list[list[float]]] | None) -> list[list[list[float]]] | None:
        for polygon in value or []:
            _check_polygon(polygon)
        return value

    @field_validator("analysis_region")
    @classmethod
    def _region(cls, value: list[list[float]] | None) -> list[list[float]] | None:
        if value:
            _check_polygon(value)
        return value

    @field_validator("counting_lines")
    @classmethod
    def _lines(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        for line in value or []:
            for end in ("a", "b"):
                _check_point(line.get(end))
        return value


def _check_point(pt: Any) -> None:
    ok = isinstance(pt, list) and len(pt) == 2
    if not ok or not all(isinstance(v, int | float) and 0 <= v <= 1 for v in pt):
        raise ValueError("image points are [x, y] with 0 ≤ x, y ≤ 1")


def _check_polygon(polygon: list[list[float]]) -> None:
    if len(polygon) < 3:
        raise ValueError("a polygon needs at least 3 points")
    for pt in polygon:
        _check_point(pt)


@dataclass
class RowReport:
    """What an import did (or would do) with one row; `row` counts the header as row 1 in CSV."""

    row: int
    code: str
    action: str  # created | updated | unchanged | error
    changed: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    """The per-row report of an import, and whether it was written."""

    written: bool
    dry_run: bool
    rows: list[RowReport]

    def count(self, action: str) -> int:
        """Rows with this action."""
        return sum(1 for r in self.rows if r.action == action)

    @property
    def ok(self) -> bool:
        """No row has an error."""
        return self.count("error") == 0

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "written": self.written,
            "dry_run": self.dry_run,
            **{a: self.count(a) for a in ("created", "updated", "unchanged", "error")},
            "rows": [asdict(r) for r in self.rows],
        }


def sniff(data: bytes) -> Format:
    """The format of a registry file from its first bytes."""
    return "gpkg" if data.startswith(b"SQLite format 3\x00") else "csv"


def _cell(value: Any) -> Any:
    """A file's cell as a value: blanks and NaN are absent."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def read_csv(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, cells) of a CSV registry (UTF-8, a BOM allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError(f"The CSV is not UTF-8 (byte {exc.start}).") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "code" not in reader.fieldnames:
        raise RegistryFileError("The CSV needs a header row with a `code` column.")
    return [
        (number, {k: _cell(v) for k, v in row.items() if k})
        for number, row in enumerate(reader, start=2)
    ]


def read_gpkg(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(feature number, cells) of a GeoPackage registry's first layer (points, any CRS)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an in-memory file has no extension
            frame = pyogrio.read_dataframe(io.BytesIO(data))
    except Exception as exc:  # GDAL says why in its own words
        raise RegistryFileError(f"The GeoPackage cannot be read: {exc}") from None
    if "code" not in frame.columns:
        raise RegistryFileError("The GeoPackage layer needs a `code` column.")
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    out = []
    for number, (_, record) in enumerate(frame.iterrows(), start=1):
        cells = {k: _cell(v) for k, v in record.items() if k != "geometry"}
        geom = record.get("geometry")
        if geom is not None and not geom.is_empty:
            if geom.geom_type != "Point":
                cells["lon"] = cells["lat"] = "not a point"
            else:
                cells["lon"], cells["lat"] = geom.x, geom.y
        out.append((number, cells))
    return out


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"][:1]) or "row", "message": e["msg"]}
        for e in exc.errors()
    ]


def _plan(
    number: int, cells: dict[str, Any], existing: dict[str, Camera], seen: set[str], urls: bool
) -> tuple[RowReport, CameraRow | None]:
    code = str(cells.get("code") or "")
    if not urls:
        cells = {k: v for k, v in cells.items() if k not in URL_FIELDS}
    try:
        row = CameraRow.model_validate(cells)
    except ValidationError as exc:
        return RowReport(number, code, "error", errors=_errors(exc)), None
    except ValueError as exc:  # JSON text that is not JSON
        return RowReport(
            number, code, "error", errors=[{"field": "row", "message": str(exc)}]
        ), None
    errors: list[dict[str, str]] = []
    if row.code in seen:
        errors.append({"field": "code", "message": "the code is on an earlier row too"})
    seen.add(row.code)
    cam = existing.get(row.code)
    given = row.model_dump(exclude_none=True)
    if cam is None:
        for needed in ("name", "lon", "lat"):
            if needed not in given:
                errors.append({"field": needed, "message": "a new camera needs it"})
    if (row.lon is None) != (row.lat is None):
        errors.append({"field": "lon" if row.lon is None else "lat", "message": "give both"})
    if errors:
        return RowReport(number, row.code, "error", errors=errors), None
    if cam is None:
        return RowReport(number, row.code, "created", changed=sorted(given)), row
    changed = [
        name for name, value in given.items() if name != "code" and _differs(cam, name, value)
    ]
    return RowReport(number, row.code, "updated" if changed else "unchanged", changed=changed), row


def _differs(cam: Camera, name: str, value: Any) -> bool:
    if name == "lon":
        return abs(cam.geom.x - value) > 1e-7
    if name == "lat":
        return abs(cam.geom.y - value) > 1e-7
    return bool(getattr(cam, name) != value)


def _apply(cam: Camera, row: CameraRow, changed: list[str]) -> None:
    values = row.model_dump(exclude_none=True)
    for name in changed:
        if name not in ("lon", "lat"):
            setattr(cam, name, values[name])
    if "lon" in changed or "lat" in changed:
        cam.geom = Point(values.get("lon", cam.geom.x), values.get("lat", cam.geom.y), srid=4326)


def import_registry(
    data: bytes, *, fmt: Format | None = None, urls: bool = False, dry_run: bool = False
) -> ImportReport:
    """Check every row, then (all good, not a dry run) create and update in one transaction.

    `urls`: the importer may set stream and snapshot URLs (an admin); otherwise those columns are
    ignored.
    """
    parsed = read_gpkg(data) if (fmt or sniff(data)) == "gpkg" else read_csv(data)
    if len(parsed) > MAX_ROWS:
        raise RegistryFileError(
            f"A registry file holds at most {MAX_ROWS} rows, got {len(parsed)}."
        )
    codes = [str(c.get("code")) for _, c in parsed if c.get("code")]
    existing = {c.code: c for c in Camera.objects.filter(code__in=codes)}
    seen: set[str] = set()
    plans = [_plan(n, cells, existing, seen, urls) for n, cells in parsed]
    report = ImportReport(written=False, dry_run=dry_run, rows=[r for r, _ in plans])
    if not report.ok or dry_run:
        return report
    moved: list[int] = []
    touched: list[Camera] = []
    with transaction.atomic():
        for rep, row in plans:
            if row is None or rep.action == "unchanged":
                continue
            if rep.action == "created":
                cam = Camera(code=row.code, geom=Point(row.lon, row.lat, srid=4326))
                _apply(cam, row, [n for n in rep.changed if n not in ("code", "lon", "lat")])
                cam.save()
                moved.append(cam.pk)
            else:
                cam = existing[row.code]
                _apply(cam, row, rep.changed)
                cam.save()
                if set(rep.changed) & set(FOV_INPUTS):
                    moved.append(cam.pk)
            touched.append(cam)
        if moved:
            refresh_fov(moved)
        if touched:
            # Maintenance flags may have changed: derive the statuses and tell the consoles.
            changed = {c.pk for c in health.apply_status(touched, timezone.now())}
            health.publish([c for c in touched if c.pk not in changed])
    report.written = True
    return report
