"""Write a GeoDataFrame into a `table` layer: validated, repaired, all in one transaction.

Shared by `geo-ioc import` and the demo loader. Rows are checked in Python first (types,
empty geometries), then COPYed into a staging table; PostGIS repairs invalid geometries
(ST_MakeValid) or refuses them, and a single INSERT … SELECT fills the layer table. Any
refused row raises `ImportRejected` and the transaction rolls back: a failed import changes
nothing, neither the table nor the catalogue.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from django.conf import settings
from django.db import connection, transaction
from psycopg import sql
from tqdm import tqdm

from layers import changes, tables
from layers.definitions import (
    FieldDef,
    FieldType,
    GeometryType,
    LayerDefinition,
    TableSource,
    ZoomRule,
)
from layers.errors import ImportRejected, InvalidInput, LayerExists, RowError
from layers.generalise import derive_rules
from layers.models import Layer
from layers.services import refresh_stats
from layers.sources.relation import SqlRelation

_NAME_RE = re.compile(r"[^a-z0-9_]+")
# Which base geometry types a layer of each type accepts (ST_Multi promotes singles).
_ACCEPTS: dict[GeometryType, set[str]] = {
    GeometryType.POINT: {"Point"},
    GeometryType.LINESTRING: {"LineString"},
    GeometryType.POLYGON: {"Polygon"},
    GeometryType.MULTIPOINT: {"Point", "MultiPoint"},
    GeometryType.MULTILINESTRING: {"LineString", "MultiLineString"},
    GeometryType.MULTIPOLYGON: {"Polygon", "MultiPolygon"},
}
# ST_CollectionExtract dimension keeping what ST_MakeValid may split off (1 point, 2 line, 3 area).
_DIMENSION = {"Point": 1, "LineString": 2, "Polygon": 3}


class Mode(StrEnum):
    """What to do when the layer exists."""

    CREATE = "create"  # refuse if it exists
    REPLACE = "replace"  # swap its contents, in the same transaction
    APPEND = "append"  # add rows to it


class InvalidPolicy(StrEnum):
    """What to do with an invalid geometry."""

    REPAIR = "repair"
    REJECT = "reject"


@dataclass
class ImportReport:
    """What an import did."""

    layer: str
    rows_read: int
    rows_written: int = 0
    repaired: list[int] = field(default_factory=list)
    # Values not of their field's declared type (a date that is not one), stored as null.
    unread: list[RowError] = field(default_factory=list)
    # The per-zoom generalisation derived from the data (when asked to).
    generalize: list[ZoomRule] = field(default_factory=list)


def column_name(raw: str) -> str:
    """A safe lower-case column name: `addr:city` → `addr_city`, `1st` → `f_1st`."""
    name = _NAME_RE.sub("_", raw.strip().lower()).strip("_") or "field"
    if name[0].isdigit():
        name = f"f_{name}"
    if name in {"id", "geom", "geom_3857"}:
        name = f"src_{name}"
    return name[:63]


def _field_type(series: pd.Series) -> FieldType:
    if pd.api.types.is_bool_dtype(series):
        return FieldType.BOOLEAN
    if pd.api.types.is_integer_dtype(series):
        return FieldType.INTEGER
    if pd.api.types.is_float_dtype(series):
        return FieldType.NUMBER
    if pd.api.types.is_datetime64_any_dtype(series):
        return FieldType.DATETIME
    return FieldType.STRING


def normalise_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rename attribute columns to safe names; two that collapse to one name are an error."""
    geometry = frame.geometry.name
    mapping: dict[str, str] = {}
    for col in frame.columns:
        if col == geometry:
            continue
        name = column_name(str(col))
        if name in mapping.values():
            raise InvalidInput(f"Columns collide once made safe: {col!r} → {name!r}.")
        mapping[str(col)] = name
    return frame.rename(columns=mapping)


def infer_fields(frame: gpd.GeoDataFrame) -> list[FieldDef]:
    """Field definitions from a frame's (normalised) columns and dtypes."""
    geometry = frame.geometry.name
    return [
        FieldDef(name=str(c), type=_field_type(frame[c])) for c in frame.columns if c != geometry
    ]


def infer_geometry_type(frame: gpd.GeoDataFrame, *, promote: bool = False) -> GeometryType:
    """The layer geometry type for a frame: Multi* when singles and multis mix.

    With `promote`, lines and polygons are always Multi* (as `ogr2ogr -nlt PROMOTE_TO_MULTI`):
    a repair may split one polygon into several, and a later append may bring multi-parts.
    """
    kinds = {t for t in frame.geometry.geom_type.dropna().unique()}
    bases = {k.removeprefix("Multi") for k in kinds}
    if len(bases) != 1:
        raise InvalidInput(f"Mixed geometry types {sorted(kinds)}: import them as separate layers.")
    base = bases.pop()
    if base not in _DIMENSION:
        raise InvalidInput(f"Unsupported geometry type {base}.")
    multi = any(k.startswith("Multi") for k in kinds) or (promote and base != "Point")
    return GeometryType(f"Multi{base}" if multi else base)


def _coerce(value: Any, ftype: FieldType) -> Any:
    """A Python value ready for COPY, or ValueError with a reason."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if ftype is FieldType.STRING:
        return str(value)
    if ftype is FieldType.INTEGER:
        number = float(value)
        if not number.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    if ftype is FieldType.NUMBER:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        return number
    if ftype is FieldType.BOOLEAN:
        if isinstance(value, str):
            low = value.strip().lower()
            if low in {"true", "t", "1", "yes", "y"}:
                return True
            if low in {"false", "f", "0", "no", "n"}:
                return False
            raise ValueError(f"{value!r} is not a boolean")
        return bool(value)
    if ftype in (FieldType.DATETIME, FieldType.DATE):
        parsed = pd.Timestamp(value)
        if parsed is pd.NaT:
            return None
        return parsed.date() if ftype is FieldType.DATE else parsed.to_pydatetime()
    raise ValueError(f"unknown field type {ftype}")


def _rows(
    frame: gpd.GeoDataFrame, fields: list[FieldDef], accepts: set[str], errors: list[RowError]
) -> Iterator[tuple[Any, ...]]:
    """Yield staging rows (row number, values…, EWKB hex); collect refusals in `errors`."""
    geoms = frame.geometry.values
    wkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
    columns = [frame[f.name].tolist() if f.name in frame.columns else None for f in fields]
    for i in range(len(frame)):
        rownum = i + 1
        geom = geoms[i]
        if geom is None or geom.is_empty:
            errors.append(RowError(rownum, "empty or missing geometry"))
            continue
        if geom.geom_type not in accepts:
            errors.append(RowError(rownum, f"geometry {geom.geom_type} does not fit the layer"))
            continue
        values: list[Any] = []
        try:
            for f, col in zip(fields, columns, strict=True):
                values.append(None if col is None else _coerce(col[i], f.type))
        except (ValueError, TypeError, OverflowError) as exc:
            errors.append(RowError(rownum, f"field {f.name}: {exc}"))
            continue
        yield (rownum, *values, wkb[i])


def _stage(
    frame: gpd.GeoDataFrame, fields: list[FieldDef], accepts: set[str], progress: bool
) -> list[RowError]:
    """COPY the frame into the temporary `_stage` table; return the refused rows."""
    cols = sql.SQL("").join(
        sql.SQL(", {} {}").format(sql.Identifier(f.name), sql.SQL(tables.PG_TYPES[f.type]))
        for f in fields
    )
    names = sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(f.name)) for f in fields)
    errors: list[RowError] = []
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp._stage")
        cur.execute(
            sql.SQL("CREATE TEMP TABLE _stage (rownum int{}, geom geometry) ON COMMIT DROP")
            .format(cols)
            .as_string(cur.connection)
        )
        copy_sql = sql.SQL("COPY _stage (rownum{}, geom) FROM STDIN").format(names)
        bar = tqdm(total=len(frame), unit="row", desc="copy", disable=not progress)
        with cur.copy(copy_sql.as_string(cur.connection)) as copy:
            for row in _rows(frame, fields, accepts, errors):
                copy.write_row(row)
                bar.update()  # cheap: tqdm redraws at most ten times a second
        bar.update(len(frame) - bar.n)  # refused rows were read too
        bar.close()
    return errors


def _validate_geometries(policy: InvalidPolicy, geometry_type: GeometryType) -> list[int]:
    """Repair (or refuse) invalid geometries in `_stage`; return the repaired row numbers."""
    base = geometry_type.value.removeprefix("Multi")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT rownum, ST_IsValidReason(geom) FROM _stage"
            " WHERE NOT ST_IsValid(geom) ORDER BY rownum"
        )
        invalid = cur.fetchall()
        if not invalid:
            return []
        if policy is InvalidPolicy.REJECT:
            raise ImportRejected([RowError(r, f"invalid geometry: {why}") for r, why in invalid])
        # ST_MakeValid can split a bow-tie into polygons plus lines: keep the layer's dimension.
        cur.execute(
            "UPDATE _stage SET geom = ST_CollectionExtract(ST_MakeValid(geom), %s)"
            " WHERE NOT ST_IsValid(geom)"
            " RETURNING rownum, ST_IsEmpty(geom), ST_NumGeometries(geom)",
            [_DIMENSION[base]],
        )
        results = cur.fetchall()
        if not geometry_type.value.startswith("Multi"):
            # A single-part layer takes a repair that stays in one part, unwrapped.
            cur.execute(
                "UPDATE _stage SET geom = ST_GeometryN(geom, 1)"
                " WHERE rownum = ANY(%s) AND ST_NumGeometries(geom) = 1",
                [[r for r, _, _ in results]],
            )
    errors = [
        RowError(r, "invalid geometry that cannot be repaired")
        if empty
        else RowError(r, f"invalid geometry repaired into {parts} parts; the layer holds one each")
        for r, empty, parts in results
        if empty or (parts > 1 and not geometry_type.value.startswith("Multi"))
    ]
    if errors:
        raise ImportRejected(errors)
    return sorted(r for r, _, _ in results)


def _insert(schema: str, table: str, fields: list[FieldDef], multi: bool) -> int:
    names = sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(f.name)) for f in fields)
    geom = sql.SQL("ST_Multi(geom)" if multi else "geom")
    query = sql.SQL(
        "INSERT INTO {t} ({names}geom) SELECT {names}{geom} FROM _stage ORDER BY rownum"
    ).format(t=sql.Identifier(schema, table), names=names, geom=geom)
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        return int(cur.rowcount)


def _prepare_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise InvalidInput("The data has no coordinate reference system; give one (--srid).")
    # Axis order: GeoPandas/pyproj keep x=longitude after to_crs(4326) (always_xy semantics).
    return frame.to_crs(4326) if frame.crs.to_epsg() != 4326 else frame


def _analyze_and_derive(
    schema: str, table: str, defn: LayerDefinition, derive: bool
) -> LayerDefinition:
    """ANALYZE the loaded table, then (if asked) derive the generalisation the data needs.

    Without fresh statistics the first tiles of a bulk load plan badly (seconds, not ms).
    """
    relation = SqlRelation(
        relation=sql.Identifier(schema, table),
        id_column="id",
        geom_column="geom",
        geom_3857=sql.Identifier("geom_3857"),
    )
    with connection.cursor() as cur:
        cur.execute(sql.SQL("ANALYZE {}").format(relation.relation).as_string(cur.connection))
    if not derive:
        return defn
    return defn.model_copy(update={"generalize": derive_rules(defn, relation)})


def load_frame(
    frame: gpd.GeoDataFrame,
    defn: LayerDefinition,
    *,
    mode: Mode = Mode.CREATE,
    invalid: InvalidPolicy = InvalidPolicy.REPAIR,
    progress: bool = False,
    derive: bool = False,
) -> ImportReport:
    """Write a frame into the layer's table and upsert the catalogue entry, atomically.

    The table is analysed after the load; with `derive` its generalisation rules are derived
    from the data (`layers.generalise`) and replace the definition's.
    """
    if not isinstance(defn.source, TableSource):
        raise InvalidInput(f"Layer {defn.slug!r} is not backed by a table; it cannot be imported.")
    if defn.geometry_type is GeometryType.GEOMETRY:
        raise InvalidInput("A table layer needs one geometry type.")
    frame = _prepare_frame(frame)
    schema = defn.source.schema_name or settings.GEO_IOC_LAYER_SCHEMA
    table = defn.source.table
    fields = list(defn.fields)
    report = ImportReport(layer=defn.slug, rows_read=len(frame))
    with transaction.atomic():
        exists = tables.table_exists(connection, schema, table)
        if exists and mode is Mode.CREATE:
            raise LayerExists(f"Layer {defn.slug!r} exists already; use mode replace or append.")
        errors = _stage(frame, fields, _ACCEPTS[defn.geometry_type], progress)
        if errors:
            raise ImportRejected(errors)
        report.repaired = _validate_geometries(invalid, defn.geometry_type)
        replaced = exists and mode is Mode.REPLACE
        if replaced:
            tables.run(connection, [tables.drop_table_sql(schema, table)])
            exists = False
        if not exists:
            tables.run(
                connection, tables.create_table_sql(schema, table, defn.geometry_type, fields)
            )
        report.rows_written = _insert(
            schema, table, fields, defn.geometry_type.value.startswith("Multi")
        )
        defn = _analyze_and_derive(schema, table, defn, derive)
        report.generalize = list(defn.generalize)
        layer = refresh_stats(Layer.upsert(defn))
        if replaced:  # a dropped table leaves no rows for the change triggers to report
            changes.record_whole_layer(layer)
    changes.after_commit()
    return report
