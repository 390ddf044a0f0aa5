"""Administrative units: import a province's boundaries from a file, build the crosswalk.

An import follows the layer import's rules (`layers.ingest`): every row is checked first, the
geometries are repaired with `ST_MakeValid` (or refused), and everything is written in one
transaction — a file with one bad row changes nothing, and the report names the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connection, transaction

from geo_ioc.socioeconomic.models import AdminUnit, Level
from layers.errors import ImportRejected, InvalidInput, RowError
from layers.readers import ReadOptions, read_file

REQUIRED = ("code", "name_vi", "level", "valid_from")
OPTIONAL = ("name_en", "kind", "parent_code", "valid_to", "geom_source", "synthetic", "note")


def sql_text(name: str) -> str:
    """A static SQL file of this package."""
    return resources.files("geo_ioc.socioeconomic").joinpath("sql", name).read_text()


@dataclass
class UnitImportReport:
    """What an import wrote."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    repaired: list[int] = field(default_factory=list)


def _date(raw: Any, name: str) -> dt.date | None:
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {raw!r}") from None


def _text(raw: Any) -> str:
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return ""
    return str(raw).strip()


def _check_row(rownum: int, rec: dict[str, Any], errors: list[RowError]) -> dict[str, Any] | None:
    out: dict[str, Any] = {k: _text(rec.get(k)) for k in ("code", "name_vi", "name_en", "kind")}
    out["parent_code"] = _text(rec.get("parent_code")) or None
    out["note"] = _text(rec.get("note"))
    out["geom_source"] = _text(rec.get("geom_source")) or "official"
    out["synthetic"] = _text(rec.get("synthetic")).lower() in {"1", "true", "yes"}
    level = _text(rec.get("level")).lower()
    reason = None
    if not out["code"]:
        reason = "code is empty"
    elif not out["name_vi"]:
        reason = "name_vi is empty"
    elif level not in Level.values:
        reason = f"level must be one of {', '.join(Level.values)}, got {level!r}"
    if reason is None:
        try:
            out["valid_from"] = _date(rec.get("valid_from"), "valid_from")
            out["valid_to"] = _date(rec.get("valid_to"), "valid_to")
        except ValueError as exc:
            reason = str(exc)
    if reason is None and out["valid_from"] is None:
        reason = "valid_from is empty"
    if reason is None and out["valid_to"] and out["valid_to"] < out["valid_from"]:
        reason = "valid_to is before valid_from"
    geom: Any = rec.get("geometry")
    if reason is None and (geom is None or geom.is_empty):
        reason = "no geometry"
    elif reason is None and geom.geom_type not in ("Polygon", "MultiPolygon"):
        reason = f"geometry must be a polygon, got {geom.geom_type}"
    if reason:
        errors.append(RowError(rownum, reason))
        return None
    out["level"] = level
    out["name_en"] = out["name_en"] or out["name_vi"]
    out["wkb"] = geom.wkb
    return out


def read_units(path: Path, srid: int | None = None) -> list[dict[str, Any]]:
    """Rows of a boundary file, checked; raises ImportRejected naming every bad row."""
    frame = read_file(path, ReadOptions(srid=srid))
    frame.columns = [str(c).lower() for c in frame.columns]
    if "name" in frame.columns and "name_vi" not in frame.columns:
        frame = frame.rename(columns={"name": "name_vi"})
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InvalidInput(f"{path.name}: missing columns {missing}; required: {list(REQUIRED)}")
    frame = frame.to_crs(4326)
    errors: list[RowError] = []
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, dt.date]] = set()
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        row = _check_row(i, rec, errors)
        if row is None:
            continue
        key = (row["code"], row["valid_from"])
        if key in seen:
            errors.append(RowError(i, f"code {row['code']} valid from {key[1]} is repeated"))
            continue
        seen.add(key)
        row["rownum"] = i
        rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def _stage(rows: list[dict[str, Any]]) -> list[int]:
    """Stage geometries, repair invalid ones in PostGIS; returns the repaired row numbers."""
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp._units")
        cur.execute("CREATE TEMP TABLE _units (rownum int, geom geometry) ON COMMIT DROP")
        with cur.copy("COPY _units (rownum, geom) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((r["rownum"], "SRID=4326;" + bytes(r["wkb"]).hex()))
        cur.execute(
            "UPDATE _units SET geom = ST_CollectionExtract(ST_MakeValid(geom), 3)"
            " WHERE NOT ST_IsValid(geom) RETURNING rownum, ST_IsEmpty(geom)"
        )
        fixed = cur.fetchall()
        bad = [RowError(r, "invalid geometry that cannot be repaired") for r, e in fixed if e]
        if bad:
            raise ImportRejected(bad)
        cur.execute("SELECT rownum, ST_AsEWKB(ST_Multi(geom)) FROM _units")
        geoms = dict(cur.fetchall())
    for r in rows:
        r["wkb"] = bytes(geoms[r["rownum"]])
    return sorted(r for r, _ in fixed)


def _parent_of(row: dict[str, Any], written: dict[str, AdminUnit]) -> AdminUnit | None:
    code = row["parent_code"]
    if not code:
        return None
    if code in written:
        return written[code]
    return (
        AdminUnit.objects.filter(code=code, valid_from__lte=row["valid_from"])
        .order_by("-valid_from")
        .first()
    )


@transaction.atomic
def import_units(path: Path, srid: int | None = None) -> UnitImportReport:
    """Write a file's units (insert or update by code and valid_from) in one transaction."""
    from django.contrib.gis.geos import GEOSGeometry

    rows = read_units(path, srid)
    report = UnitImportReport(rows=len(rows), repaired=_stage(rows))
    written: dict[str, AdminUnit] = {}
    errors: list[RowError] = []
    # Parents first: provinces, then districts, then communes.
    order = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2}
    for row in sorted(rows, key=lambda r: order[Level(r["level"])]):
        parent = _parent_of(row, written)
        if row["parent_code"] and parent is None:
            errors.append(RowError(row["rownum"], f"unknown parent_code {row['parent_code']}"))
            continue
        values = {
            k: row[k]
            for k in ("name_vi", "name_en", "kind", "level", "valid_to", "geom_source", "note")
        }
        values |= {"synthetic": row["synthetic"], "parent": parent}
        values["geom"] = GEOSGeometry(memoryview(row["wkb"]))
        unit, created = AdminUnit.objects.update_or_create(
            code=row["code"], valid_from=row["valid_from"], defaults=values
        )
        written[unit.code] = unit
        report.created += created
        report.updated += not created
    if errors:
        raise ImportRejected(errors)
    measure_areas()
    return report


def measure_areas() -> None:
    """Areas of the units in km², in the province's VN-2000 TM-3 zone."""
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE socioeconomic_adminunit SET area_km2 = ST_Area(ST_Transform(geom, %s)) / 1e6",
            [settings.GEO_IOC_LAND_SRID],
        )


def build_crosswalk(end: dt.date, levels: tuple[str, ...] = ("district", "commune")) -> int:
    """Crosswalk rows from the units that ended on `end` to those that began the next day."""
    with connection.cursor() as cur:
        cur.execute(
            sql_text("crosswalk.sql"),
            {"end": end, "srid": settings.GEO_IOC_LAND_SRID, "levels": list(levels)},
        )
        return cur.rowcount
