"""Indicators of reports (by category, unit, commune) and the choropleth of overdue reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, Q

from geo_ioc.reports import services, stats
from geo_ioc.reports.models import Report
from geo_ioc.reports.rules import mark
from geo_ioc.reports.schemas import ReportIn
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
