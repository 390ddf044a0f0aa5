"""Values re-expressed across the 2025 reform through the crosswalk, against SQL by hand."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from geo_ioc.socioeconomic import analytics, reexpress
from geo_ioc.socioeconomic.models import AdminUnit, Crosswalk, Indicator, Value
from geo_ioc.socioeconomic.periods import month
from tests.socioeconomic.conftest import TODAY

LAST = month(TODAY).previous()
BEFORE = dt.date(2025, 6, 30)  # the last day of the pre-2025 units

pytestmark = pytest.mark.django_db


def test_todays_wards_reexpressed_on_a_pre_2025_district(
    http: httpx.Client, se_demo: dict[str, int]
) -> None:
    """New → old: Σ value(n) × share × area(old) ÷ area(n), by area."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT sum(v.value * c.area_share * o.area_km2 / n.area_km2)"
            " FROM socioeconomic_crosswalk c"
            " JOIN socioeconomic_adminunit o ON o.id = c.old_id AND o.code = '672'"
            " JOIN socioeconomic_adminunit n ON n.id = c.new_id"
            " JOIN socioeconomic_value v ON v.unit_id = n.id AND v.period = %s"
            "  AND v.disaggregation = ''"
            " JOIN socioeconomic_indicator i ON i.id = v.indicator_id AND i.code = 'retail_sales'",
            [LAST.start],
        )
        truth = float(cur.fetchone()[0])
    params = {
        "dx": "retail_sales",
        "pe": LAST.key,
        "ou": "672",
        "date": BEFORE.isoformat(),
        "reexpress": "true",
    }
    body = http.get("/socioeconomic/analytics", params=params).json()
    (row,) = body["rows"]
    assert row["unit"] == "672" and row["value"] == pytest.approx(truth)
    assert row["target"] is None  # plans are set on today's units only
    links = body["reexpressed"]
    assert {x["from"] for x in links} >= {"68.XH", "68.CL", "68.LV", "68.XT", "68.LB"}
    assert {x["basis"] for x in links} == {"area"}
    # Without the option the old district has no values of its own (they are on today's units).
    plain = http.get("/socioeconomic/analytics", params=params | {"reexpress": "false"}).json()
    assert plain["rows"] == [] and "reexpressed" not in plain
    bad = http.get("/socioeconomic/analytics", params=params | {"reexpress": "maybe"})
    assert bad.status_code == 400 and bad.json()["code"]


def test_a_pre_2025_series_reexpressed_on_the_new_wards(se_demo: dict[str, int]) -> None:
    """Old → new: values on the old Đà Lạt units become the wards', totals kept; a population
    share, where known, replaces the area share and the link says so."""
    ind = Indicator.objects.get(code="retail_sales")
    olds = list(AdminUnit.objects.filter(code__startswith="672.", valid_to=BEFORE))
    period = dt.date(2025, 3, 1)
    Value.objects.bulk_create(
        Value(
            indicator=ind,
            period=period,
            unit=u,
            value=float(10 + i),
            reported_at=timezone.now(),
        )
        for i, u in enumerate(olds)
    )
    link = Crosswalk.objects.filter(old__in=olds).order_by("id").first()
    assert link is not None
    link.population_share = link.area_share / 2  # known for this link only
    link.save()
    wards = list(AdminUnit.objects.filter(code__in=["68.XH", "68.CL", "68.LV", "68.XT", "68.LB"]))
    query = analytics.Query([ind], [month(period)], wards)
    cells, links = reexpress.run(query)
    assert {c.unit for c in cells} == {w.code for w in wards}
    assert all(x.source.level == "commune" for x in links)  # not the old district as well
    with connection.cursor() as cur:
        cur.execute(
            "SELECT n.code, sum(v.value * coalesce(c.population_share, c.area_share))"
            " FROM socioeconomic_crosswalk c"
            " JOIN socioeconomic_adminunit n ON n.id = c.new_id"
            " JOIN socioeconomic_value v ON v.unit_id = c.old_id AND v.period = %s"
            "  AND v.indicator_id = %s AND v.disaggregation = ''"
            " GROUP BY 1",
            [period, ind.pk],
        )
        truth = dict(cur.fetchall())
    got = {c.unit: c.value for c in cells}
    for code, value in truth.items():
        assert got[code] == pytest.approx(value), code
    bases = {(x.source.pk, x.unit.pk): x.basis for x in links}
    assert bases[(link.old_id, link.new_id)] == "population"
    assert sum(1 for b in bases.values() if b == "population") == 1
    # Area shares alone keep the total of the old units; the population share moves half of one.
    extra = -link.area_share / 2 * next(10 + i for i, u in enumerate(olds) if u.pk == link.old_id)
    assert sum(got.values()) == pytest.approx(sum(10 + i for i in range(len(olds))) + extra)
