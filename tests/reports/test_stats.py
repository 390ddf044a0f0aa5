"""Indicators of reports (by category, unit, commune) and the choropleth of overdue reports."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q

from geo_ioc.reports import services, stats
from geo_ioc.reports.clock import LOCAL
from geo_ioc.reports.models import AreaLoad, Report
from geo_ioc.reports.rules import mark
from geo_ioc.reports.schemas import ReportIn
from geo_ioc.reports.stats import ReportsPart
from geo_ioc.reports.workflow import OPEN
from tests.reports.conftest import WARD_POINT

pytestmark = pytest.mark.django_db
# A window no other test writes in.
T0 = datetime(2021, 3, 1, 2, 0, tzinfo=UTC)


def _at(category: str, hours: float, answer_h: float | None, resolve_h: float | None) -> Report:
    data = ReportIn(
        category=category, lon=WARD_POINT[0], lat=WARD_POINT[1], description="Phản ánh thử chỉ số"
    )
    report = services.create_report(data, received_at=T0 + timedelta(hours=hours))
    if answer_h is not None:
        report.answered_at = report.received_at + timedelta(hours=answer_h)
        report.status = "in_progress"
    if resolve_h is not None:
        report.resolved_at = report.received_at + timedelta(hours=resolve_h)
        report.status = "resolved"
    report.save()
    return report


def test_indicators_by_category_and_commune(reports_seeded: str) -> None:
    _at("pothole", 0, 2, 24)  # resolved in a day: on time (5 working days)
    _at("pothole", 1, 4, 24 * 30)  # resolved after a month: late
    _at("pothole", 2, None, None)  # never answered: overdue now
    _at("rubbish", 3, 6, None)
    mark()
    window = (T0, T0 + timedelta(days=1))
    by_cat = {f.key: f for f in stats.figures("category", *window)}
    pothole = by_cat["pothole"]
    assert (pothole.received, pothole.resolved, pothole.resolved_on_time) == (3, 2, 1)
    assert pothole.open == 1 and pothole.overdue == 1
    assert pothole.median_hours_to_answer == pytest.approx(3.0)  # median of 2 h and 4 h
    assert by_cat["rubbish"].median_hours_to_answer == pytest.approx(6.0)
    (area,) = stats.figures("area", *window)
    assert area.received == 4 and area.overdue == 2  # the rubbish report is late too


def test_the_choropleth_counts_overdue_reports_per_commune(reports_seeded: str) -> None:
    _at("drain", 0, None, None)
    mark()
    truth = dict(
        Report.objects.values_list("area_code").annotate(n=Count("id", filter=Q(overdue=True)))
    )
    collection = stats.overdue_by_area()
    counted = {f["id"]: f["properties"]["overdue"] for f in collection["features"]}
    assert len(counted) == 16  # every ward of the demo, with or without reports
    for code, n in counted.items():
        assert n == truth.get(code, 0)
    assert max(counted.values()) >= 1
    geometry = collection["features"][0]["geometry"]
    assert geometry["type"] in {"Polygon", "MultiPolygon"}


def _truth() -> dict[str, tuple[int, int]]:
    """Open and overdue reports per area, counted from the reports themselves."""
    rows = Report.objects.values_list("area_code").annotate(
        open=Count("id", filter=Q(status__in=OPEN)), overdue=Count("id", filter=Q(overdue=True))
    )
    return {code: (n_open, n_over) for code, n_open, n_over in rows}


def _area_rows() -> int:
    """Rows of the choropleth's table the change feed has seen written (so far, all told).

    Within one transaction the feed merges a table's statements into one entry and adds up
    their rows, so the difference of two readings is what was written in between (an updated
    row counts twice: its old and its new version).
    """
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(row_count), 0) FROM core_event"
            " WHERE relation LIKE '%%.reports_areaload'"
        )
        return int(cur.fetchone()[0])


def _loads() -> dict[str, tuple[int, int]]:
    return {a.code: (a.open, a.overdue) for a in AreaLoad.objects.all()}


def test_the_choropleth_layer_changes_exactly_when_its_counts_do(reports_seeded: str) -> None:
    assert stats.rebuild_areas() == 16
    assert stats.rebuild_areas() == 16
    area = AreaLoad.objects.first()
    assert area is not None
    assert area.geom.geom_type == "MultiPolygon" and area.geom_3857.srid == 3857
    truth = _truth()
    assert _loads() == {code: truth.get(code, (0, 0)) for code in _loads()}

    rows = _area_rows()
    report = _at("drain", 0, None, None)  # a new open report: its ward's open count moves
    ward = report.area_code
    assert _loads()[ward][0] == truth.get(ward, (0, 0))[0] + 1
    assert _area_rows() - rows == 2  # one area updated

    rows = _area_rows()
    report.description = "Phản ánh thử chỉ số (đã sửa)"
    report.save()  # the report changed, its ward's counts did not: no change to the layer
    Report.objects.filter(pk=report.pk).update(address="Số 3")
    stats.rebuild_areas()  # nothing moved: the rebuild writes nothing either
    assert _area_rows() - rows == 0

    rows, before = _area_rows(), _loads()
    mark()  # the sweep flags it overdue (and any other late report)
    after = _loads()
    truth = _truth()
    assert after == {code: truth.get(code, (0, 0)) for code in after}
    assert after[ward][1] == before[ward][1] + 1
    assert _area_rows() - rows == 2 * sum(after[c] != before[c] for c in after)

    rows = _area_rows()
    Report.objects.filter(pk=report.pk).delete()  # whatever writes it, psql included
    assert _area_rows() - rows == 2
    assert _loads()[ward] == _truth().get(ward, (0, 0))


def test_the_kpi_part_counts_today_in_local_time(reports_seeded: str) -> None:
    now = datetime.now(UTC)
    data = ReportIn(category="tree", lon=WARD_POINT[0], lat=WARD_POINT[1], description="Cây gãy")
    services.create_report(data, received_at=now - timedelta(seconds=5))
    midnight = datetime.combine(now.astimezone(LOCAL).date(), time(), LOCAL)
    today = Report.objects.filter(received_at__gte=midnight, received_at__lte=now).count()
    kpi = ReportsPart().compute(now, 24)
    assert kpi.received_today == today >= 1
    assert kpi.overdue == Report.objects.filter(overdue=True).count()
