"""Imports without traps: dates stay dates, the planner has statistics, access is reported."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from layers.errors import ImportRejected
from layers.imports import LayerOptions, import_file
from layers.ingest import InvalidPolicy
from layers.models import Layer
from layers.readers import ReadOptions

pytestmark = pytest.mark.django_db
SCHEMA = settings.GEO_IOC_LAYER_SCHEMA


def reports_with_a_bad_date(path: Path) -> Path:
    """A GeoPackage of three reports whose second `seen` is not a date (as GIS files have)."""
    frame = gpd.GeoDataFrame(
        {
            "name": ["Chợ", "Hồ", "Ga"],
            "seen": pd.to_datetime(["2025-01-02 08:00", "2025-01-03 09:30", "2025-01-04 10:15"]),
        },
        geometry=shapely.points([[108.437, 11.943], [108.444, 11.9405], [108.455, 11.942]]),
        crs=4326,
    )
    frame.to_file(path, driver="GPKG")
    with sqlite3.connect(path) as con:
        # The GeoPackage's triggers call SpatiaLite functions; the edit touches no geometry.
        for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            con.create_function(name, 1, lambda g: 0)
        con.execute("UPDATE " + path.stem + " SET seen = 'hôm qua' WHERE fid = 2")
    return path


def _column_type(table: str, column: str) -> str:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s AND column_name = %s",
            [SCHEMA, table, column],
        )
        return str(cur.fetchone()[0])


def test_an_unreadable_date_is_reported_per_row_and_the_column_stays_a_timestamp(
    tmp_path: Path,
) -> None:
    path = reports_with_a_bad_date(tmp_path / "reports.gpkg")
    result = import_file(path, ReadOptions(), LayerOptions(slug="sightings"), progress=False)
    assert [(e.row, e.reason) for e in result.report.unread] == [
        (2, "field seen: 'hôm qua' is not a valid date/time")
    ]
    assert _column_type("sightings", "seen").startswith("timestamp")
    assert {f.name: f.type.value for f in result.layer.field_defs()}["seen"] == "datetime"
    with connection.cursor() as cur:
        cur.execute(f"SELECT seen IS NULL FROM {SCHEMA}.sightings ORDER BY id")
        assert [r[0] for r in cur.fetchall()] == [False, True, False]


def test_an_unreadable_date_refuses_the_file_with_invalid_reject(tmp_path: Path) -> None:
    path = reports_with_a_bad_date(tmp_path / "reports.gpkg")
    opts = LayerOptions(slug="reports_strict", invalid=InvalidPolicy.REJECT)
    with pytest.raises(ImportRejected) as refused:
        import_file(path, ReadOptions(), opts, progress=False)
    assert [e.row for e in refused.value.errors] == [2]
    assert not Layer.objects.filter(slug="reports_strict").exists()


def test_the_command_analyses_the_table_and_says_how_to_publish(tmp_path: Path) -> None:
    path = reports_with_a_bad_date(tmp_path / "reports.gpkg")
    out = io.StringIO()
    call_command("import_layer", str(path), "--layer", "reports_cli", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "row 2: field seen: 'hôm qua' is not a valid date/time" in text
    assert "access staff" in text and "geo-ioc publish reports_cli" in text
    with connection.cursor() as cur:  # statistics exist right after the load
        cur.execute(
            "SELECT count(*) FROM pg_stats WHERE schemaname = %s AND tablename = 'reports_cli'",
            [SCHEMA],
        )
        assert cur.fetchone()[0] > 0
    call_command("publish", "reports_cli", stdout=io.StringIO())
    assert Layer.objects.get(slug="reports_cli").access_level == "public"
