"""Writes of the land app: bulk loads of parcels and zones, measured areas, plan status, audit."""

from __future__ import annotations

from importlib import resources
from typing import Any

import geopandas as gpd
import shapely
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from psycopg import sql

from geo_ioc.land.codes import CODES, CONFLICT_MIN_SHARE, agreeing_pairs, name_en, name_vi
from geo_ioc.land.errors import InvalidParcelData
from geo_ioc.land.models import AuditEntry, Parcel, PlanningZone

PARCEL_COLUMNS = [
    "ward_code",
    "sheet",
    "number",
    "land_use",
    "land_use_vi",
    "land_use_en",
    "legal_area_m2",
    "address",
    "holder_name",
    "certificate_no",
    "synthetic",
]
ZONE_COLUMNS = [
    "code",
    "name_vi",
    "name_en",
    "plan_name",
    "period_start",
    "period_end",
    "synthetic",
]


def _statements(name: str) -> list[str]:
    """The statements of a static SQL file (psycopg binds parameters one statement at a time)."""
    text = resources.files("geo_ioc.land.sql").joinpath(name).read_text("utf-8")
    parts = (p.strip() for p in text.split(";\n"))
    return [p for p in parts if any(not line.startswith("--") for line in p.splitlines())]


def _run(name: str, params: dict[str, Any]) -> int:
    """Run a static SQL file; rows touched by its last statement."""
    rows = 0
    with connection.cursor() as cur:
        for statement in _statements(name):
            cur.execute(statement, params)
            rows = int(cur.rowcount)
    return rows


def _check_codes(codes: gpd.GeoSeries, column: str) -> None:
    unknown = sorted(set(codes) - set(CODES))
    if unknown:
        raise InvalidParcelData(f"{column}: unknown land-use codes {unknown}.", field=column)


def _stage(frame: gpd.GeoDataFrame, columns: list[str], table: str) -> None:
    """COPY the frame (EPSG:4326) into a temporary table shaped like `table`."""
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp._land_stage")
        cur.execute(
            sql.SQL(
                "CREATE TEMP TABLE _land_stage ON COMMIT DROP AS"
                " SELECT {cols}, geom FROM {table} LIMIT 0"
            )
            .format(
                cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
                table=sql.Identifier(table),
            )
            .as_string(cur.connection)
        )
        copy_sql = sql.SQL("COPY _land_stage ({cols}, geom) FROM STDIN").format(
            cols=sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        # EWKB with its SRID, so the geometry(MultiPolygon, 4326) column accepts it.
        geoms = shapely.set_srid(frame.geometry.values, 4326)
        wkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
        rows = frame[columns].itertuples(index=False, name=None)
        with cur.copy(copy_sql.as_string(cur.connection)) as copy:
            for row, geom in zip(rows, wkb, strict=True):
                copy.write_row([*row, geom])


def load_parcels(frame: gpd.GeoDataFrame, *, synthetic: bool) -> int:
    """Upsert parcels by (ward, sheet, number); with `synthetic`, drop generated ones not given.

    Keys that stay keep their ids, so audit entries still name the right parcel after a reload.
    """
    frame = frame.to_crs(4326).copy()
    _check_codes(frame["land_use"], "land_use")
    frame["land_use_vi"] = [name_vi(c) for c in frame["land_use"]]
    frame["land_use_en"] = [name_en(c) for c in frame["land_use"]]
    frame["synthetic"] = synthetic
    frame["sheet"] = frame["sheet"].astype(int)
    frame["number"] = frame["number"].astype(int)
    with transaction.atomic():
        _stage(frame, PARCEL_COLUMNS, Parcel._meta.db_table)
        _run("upsert_parcels.sql", {"synthetic": synthetic, "srid": settings.GEO_IOC_LAND_SRID})
        with connection.cursor() as cur:
            cur.execute("DROP TABLE _land_stage")
    return len(frame)


def load_zones(frame: gpd.GeoDataFrame, *, synthetic: bool) -> int:
    """Replace the zones of the plans named in the frame (and, with `synthetic`, generated ones)."""
    frame = frame.to_crs(4326).copy()
    _check_codes(frame["code"], "code")
    frame["synthetic"] = synthetic
    with transaction.atomic():
        stale = PlanningZone.objects.filter(plan_name__in=set(frame["plan_name"]))
        if synthetic:
            stale = stale | PlanningZone.objects.filter(synthetic=True)
        stale.delete()
        _stage(frame, ZONE_COLUMNS, PlanningZone._meta.db_table)
        cols = sql.SQL(", ").join(map(sql.Identifier, [*ZONE_COLUMNS, "geom"]))
        with connection.cursor() as cur:
            cur.execute(
                sql.SQL(
                    "INSERT INTO {table} ({cols}) SELECT {cols} FROM _land_stage;"
                    " DROP TABLE _land_stage"
                )
                .format(table=sql.Identifier(PlanningZone._meta.db_table), cols=cols)
                .as_string(cur.connection)
            )
    return len(frame)


def measure_parcels() -> int:
    """Re-measure parcels in the province's VN-2000 TM-3 zone (after the zone setting changed)."""
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE land_parcel SET area_m2 = a FROM (SELECT id, ST_Area(ST_Transform(geom, %s))"
            " AS a FROM land_parcel) m WHERE m.id = land_parcel.id AND area_m2 IS DISTINCT FROM a",
            [settings.GEO_IOC_LAND_SRID],
        )
        return int(cur.rowcount)


def refresh_plan_status(ward_code: str | None = None) -> int:
    """Recompute planned use and conflict of the parcels (of one ward, or all); rows updated."""
    current, planned = agreeing_pairs()
    params = {
        "current": current,
        "planned": planned,
        "srid": settings.GEO_IOC_LAND_SRID,
        "ward": ward_code,
        "min_share": CONFLICT_MIN_SHARE,
    }
    return _run("plan_status.sql", params)


def audit_restricted_read(
    user: AbstractBaseUser | AnonymousUser, parcel: Parcel, fields: list[str], path: str
) -> AuditEntry:
    """Write who read which restricted fields of which parcel, and where."""
    return AuditEntry.objects.create(
        user_id=user.pk if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        object_type="land.parcel",
        object_id=parcel.pk,
        object_label=parcel.label,
        fields=fields,
        path=path[:300],
    )
