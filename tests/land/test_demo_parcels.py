"""The demo cadastre: real blocks split into numbered lots, a plan that mostly agrees, seeded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.conf import settings
from django.db import connection

from fixtures import parcels, planning, wards
from fixtures.config import load_config
from fixtures.loader import build_city
from geo_ioc.land.codes import CODES
from geo_ioc.land.models import Parcel, PlanningZone
from layers.models import Layer

pytestmark = pytest.mark.django_db


def scalar(query: str) -> object:
    with connection.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def test_every_ward_has_numbered_parcels_with_known_codes() -> None:
    counts = dict(Layer.objects.values_list("slug", "feature_count"))
    assert counts["parcels"] == Parcel.objects.count() > 10_000
    assert counts["planning_zones"] == PlanningZone.objects.count() > 100
    wards_with_parcels = set(Parcel.objects.values_list("ward_code", flat=True).distinct())
    assert len(wards_with_parcels) == 16
    assert set(Parcel.objects.values_list("land_use", flat=True).distinct()) <= set(CODES)
    # Town lots are a few hundred m², forest lots many hectares.
    town = scalar(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY area_m2) FROM land_parcel"
        " WHERE land_use = 'ODT'"
    )
    forest = scalar(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY area_m2) FROM land_parcel"
        " WHERE land_use IN ('RSX', 'RPH')"
    )
    assert 150 < float(town) < 1_000 < 50_000 < float(forest)  # type: ignore[arg-type]
    assert scalar("SELECT count(*) FROM land_parcel WHERE NOT ST_IsValid(geom)") == 0
    # Lots of one block never overlap (a small tolerance for rounding through 4326).
    overlaps = scalar(
        "SELECT count(*) FROM land_parcel a JOIN land_parcel b ON a.id < b.id"
        " AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)"
        " WHERE a.ward_code = '672.01'"
        " AND ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 5899)) > 1"
    )
    assert overlaps == 0


def test_the_plan_mostly_agrees_and_deliberately_differs() -> None:
    total = Parcel.objects.count()
    conflicts = Parcel.objects.filter(plan_conflict=True).count()
    assert 0.01 * total < conflicts < 0.2 * total
    assert Parcel.objects.filter(planned_use="").count() == 0  # every parcel is in the plan
    assert PlanningZone.objects.filter(code="DGT").exists()  # road widening corridors
    assert Layer.objects.get(slug="parcel_conflicts").feature_count == conflicts


def test_generation_is_reproducible() -> None:
    config = load_config("dalat")
    city = build_city(
        config, Path(settings.GEO_IOC_DATA_DIR), 672, datetime(2026, 8, 13, tzinfo=UTC)
    )
    crs = config.crs
    admin = city.layers["admin_units"].frame
    units = admin[admin["level"].astype(int) == 3].to_crs(crs)
    buildings = city.layers["buildings"].frame.to_crs(crs)
    roads = city.layers["roads"].frame.to_crs(crs)
    urban = wards.urban_area(buildings.geometry, shapely.union_all(units.geometry.values))
    # The old town's blocks only, to keep the test quick.
    blocks = city.layers["land_use"].frame.to_crs(crs)
    blocks = blocks[blocks.intersects(units[units["code"] == "672.01"].union_all())]
    places = {"city": config.name, "province": config.province}

    def run() -> tuple[object, object]:
        lots = parcels.parcels(
            blocks, buildings, units, roads, urban, places, np.random.default_rng([672, 30])
        )
        plan = planning.zones(blocks, roads, urban, config.name, np.random.default_rng([672, 31]))
        return lots, plan

    (a, pa), (b, pb) = run(), run()
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))  # type: ignore[attr-defined]
    assert a.geometry.geom_equals_exact(b.geometry, 1e-9).all()  # type: ignore[attr-defined]
    assert pa.drop(columns="geometry").equals(pb.drop(columns="geometry"))  # type: ignore[attr-defined]
    assert {"buildings", "model"} == set(a["basis"])  # type: ignore[index]
