"""Versioned units, the crosswalk and the units import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.db import connection

from geo_ioc.socioeconomic.models import AdminUnit, Crosswalk
from geo_ioc.socioeconomic.units import import_units
from layers.errors import ImportRejected

pytestmark = pytest.mark.django_db


def test_today_has_two_tiers_and_the_five_dalat_wards(se_demo: dict[str, int]) -> None:
    today = AdminUnit.objects.filter(valid_to__isnull=True)
    assert set(today.values_list("level", flat=True)) == {"province", "commune"}
    wards = today.filter(code__in=["68.XH", "68.CL", "68.LV", "68.XT", "68.LB"])
    assert wards.count() == 5 and set(wards.values_list("geom_source", flat=True)) == {"derived"}
    lang_biang = wards.get(code="68.LB")
    olds = set(lang_biang.predecessors.values_list("old__name_vi", flat=True))
    assert {"Phường 7", "Thị trấn Lạc Dương", "Xã Lát"} <= olds
    assert AdminUnit.objects.filter(level="district", valid_to=dt.date(2025, 6, 30)).count() == 12


def test_crosswalk_shares_add_up_and_reexpress_a_series(se_demo: dict[str, int]) -> None:
    with connection.cursor() as cur:
        # Shares of every old unit add up to one (areas in VN-2000 TM-3).
        cur.execute(
            "SELECT old_id, sum(area_share) FROM socioeconomic_crosswalk GROUP BY old_id"
            " HAVING abs(sum(area_share) - 1) > 0.002"
        )
        assert cur.fetchall() == []
        # A share is the intersection's area over the old unit's, measured in EPSG:5899.
        cur.execute(
            "SELECT c.area_share, ST_Area(ST_Intersection(ST_Transform(o.geom, 5899),"
            " ST_Transform(n.geom, 5899))) / ST_Area(ST_Transform(o.geom, 5899))"
            " FROM socioeconomic_crosswalk c JOIN socioeconomic_adminunit o ON o.id = c.old_id"
            " JOIN socioeconomic_adminunit n ON n.id = c.new_id WHERE o.code = '675'"
        )
        rows = cur.fetchall()
    assert len(rows) >= 2 and all(a == pytest.approx(b) for a, b in rows)
    # A series on the 16 old Đà Lạt units re-expressed on the five new wards keeps its total.
    old_values = {
        u.pk: float(i + 1) for i, u in enumerate(AdminUnit.objects.filter(code__startswith="672."))
    }
    new_values: dict[int, float] = {}
    for link in Crosswalk.objects.filter(old_id__in=old_values):
        new_values[link.new_id] = (
            new_values.get(link.new_id, 0) + old_values[link.old_id] * link.area_share
        )
    assert len(new_values) == 5
    assert sum(new_values.values()) == pytest.approx(sum(old_values.values()))


def _units_file(tmp_path: Path, bad_row: bool) -> Path:
    square = shapely.box(108.0, 11.0, 108.1, 11.1)
    bowtie = shapely.Polygon([(108.2, 11.0), (108.3, 11.1), (108.3, 11.0), (108.2, 11.1)])
    rows = [
        {
            "code": "99",
            "name_vi": "Tỉnh Thử",
            "level": "province",
            "parent_code": None,
            "valid_from": "2025-07-01",
            "geometry": square.union(bowtie.buffer(0)),
        },
        {
            "code": "99.1",
            "name_vi": "Xã Một",
            "level": "commune",
            "parent_code": "99",
            "valid_from": "2025-07-01",
            "geometry": square,
        },
        {
            "code": "99.2",
            "name_vi": "Xã Hai",
            "level": "ward" if bad_row else "commune",
            "parent_code": "99",
            "valid_from": "2025-07-01",
            "geometry": bowtie,
        },
    ]
    path = tmp_path / "units.gpkg"
    gpd.GeoDataFrame(rows, geometry="geometry", crs=4326).to_crs(5899).to_file(path)
    return path


def test_units_import_is_one_transaction(se_demo: dict[str, int], tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as refused:
        import_units(_units_file(tmp_path, bad_row=True))
    assert [e.row for e in refused.value.errors] == [3]
    assert "level" in refused.value.errors[0].reason
    assert not AdminUnit.objects.filter(code__startswith="99").exists()
    report = import_units(_units_file(tmp_path, bad_row=False))
    assert report.created == 3 and report.repaired == [3]  # the bow-tie, made valid
    unit = AdminUnit.objects.get(code="99.1")
    assert unit.parent is not None and unit.parent.code == "99"
    assert unit.area_km2 == pytest.approx(10.9 * 11.0, rel=0.05)  # 0.1° × 0.1° near 11° N
