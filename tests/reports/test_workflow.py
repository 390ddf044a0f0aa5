"""Routing, re-routing, steps, duplicates and merges, reopening, overdue alerts, incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from geo_ioc.operations.models import Alert, AlertRule
from geo_ioc.reports import dedupe, services
from geo_ioc.reports.errors import InvalidReport, InvalidStep, OutsideProvince
from geo_ioc.reports.models import Follower, Report, Step
from geo_ioc.reports.rules import mark
from geo_ioc.reports.schemas import Contact, ReportIn, StepIn
from tests.helpers import rows, settle
from tests.reports.conftest import OUTSIDE, WARD_POINT

pytestmark = pytest.mark.django_db


def _new(
    category: str = "pavement",
    lon: float = WARD_POINT[0],
    lat: float = WARD_POINT[1],
    **contact: str,
) -> Report:
    data = ReportIn(
        category=category,
        lon=lon,
        lat=lat,
        description="Quán lấn chiếm vỉa hè",
        contact=Contact(**contact),
    )
    return services.create_report(data, ip="203.0.113.5")


@pytest.fixture
def operator(reports_seeded: str) -> object:
    user, _ = get_user_model().objects.get_or_create(username="test_operator")
    return user


def _ward_at(lon: float, lat: float) -> str:
    (code,) = rows(
        "SELECT code FROM layer_data.admin_units WHERE level = 3 AND "
        "ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
        [lon, lat],
    )[0]
    return str(code)


def test_routing_by_commune_and_category(operator: object) -> None:
    ward = _ward_at(*WARD_POINT)
    local = _new("pavement")  # wards handle encroachment
    assert (local.area_code, local.unit.code, local.status) == (ward, f"UBND-{ward}", "routed")
    city = _new("street_light")  # the city's company handles lights in every ward
    assert city.unit.code == "CTY-DVDT" and city.area_code == ward
    assert [s.action for s in local.steps.all()] == ["receive", "route"]
    assert local.due_answer_at > local.received_at and local.due_resolve_at > local.due_answer_at


def test_outside_the_province_is_refused(reports_seeded: str) -> None:
    with pytest.raises(OutsideProvince):
        _new(lon=OUTSIDE[0], lat=OUTSIDE[1])


def test_re_routing_needs_a_reason_and_steps_carry_the_user(operator: object) -> None:
    report = _new("pavement")
    with pytest.raises(InvalidReport):
        services.step(report.code, StepIn(action="route", unit="CA-DALAT"), operator)
    services.step(
        report.code,
        StepIn(action="route", unit="CA-DALAT", note="Tụ tập gây rối, chuyển công an"),
        operator,
    )
    report.refresh_from_db()
    assert report.unit.code == "CA-DALAT"
    last = Step.objects.filter(report=report).last()
    assert last is not None and last.actor_name == "test_operator" and last.note
    with pytest.raises(InvalidStep):  # resolve needs accept first
        services.step(report.code, StepIn(action="close"), operator)
    for action, note in (("accept", ""), ("start", ""), ("resolve", "Đã giải tỏa")):
        services.step(report.code, StepIn(action=action, note=note), operator)
    report.refresh_from_db()
    assert report.status == "resolved" and report.answer == "Đã giải tỏa"
    assert report.answered_at is not None and report.resolved_at is not None


def test_duplicates_are_offered_and_merged_with_their_followers(operator: object) -> None:
    first = _new("rubbish", device_id="device-first-0001")
    lon, lat = WARD_POINT[0] + 0.0002, WARD_POINT[1]  # about 22 m east
    found = [(r.code, round(m)) for r, m in dedupe.nearby(first.category, lon, lat)]
    assert (first.code, 22) in found
    assert not dedupe.nearby(first.category, lon + 0.001, lat)  # 130 m: not offered
    second = _new("rubbish", lon=lon, lat=lat, device_id="device-second-002", email="b@example.org")
    services.step(
        second.code,
        StepIn(action="reject", rejection="duplicate", duplicate_of=first.code, note=""),
        operator,
    )
    second.refresh_from_db()
    assert (second.status, second.rejection, second.duplicate_of_id) == (
        "rejected",
        "duplicate",
        first.pk,
    )
    keys = set(Follower.objects.filter(report=first).values_list("key", flat=True))
    assert {"device-first-0001", "device-second-002", "b@example.org"} <= keys
    with pytest.raises(InvalidStep):  # and never into itself
        services.step(
            first.code,
            StepIn(action="reject", rejection="duplicate", duplicate_of=first.code),
            operator,
        )


def test_reopen_within_seven_days_by_the_reporter(operator: object) -> None:
    report = _new("pothole", device_id="device-reopen-01")
    for action, note in (("accept", ""), ("resolve", "Đã vá")):
        services.step(report.code, StepIn(action=action, note=note), operator)
    with pytest.raises(InvalidStep):
        services.reopen(report.code, "Chưa vá", "someone-else-123")
    services.follow(report.code, "a-mere-follower-1")  # anyone may follow, not reopen
    with pytest.raises(InvalidStep):
        services.reopen(report.code, "Chưa vá", "a-mere-follower-1")
    services.reopen(report.code, "Vẫn còn ổ gà", "device-reopen-01")
    report.refresh_from_db()
    assert report.status == "routed" and report.resolved_at is None
    services.step(report.code, StepIn(action="accept"), operator)
    services.step(report.code, StepIn(action="resolve", note="Đã vá lại"), operator)
    Report.objects.filter(pk=report.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    with pytest.raises(InvalidStep):
        services.reopen(report.code, "Lại hỏng", "device-reopen-01")


def test_overdue_reports_raise_an_alert_that_ends_when_handled(operator: object) -> None:
    rule = AlertRule.objects.create(
        name="Phản ánh quá hạn (test)", kind="report_overdue", params={}, event="Phản ánh quá hạn"
    )
    report = _new("traffic_signal")
    Report.objects.filter(pk=report.pk).update(due_answer_at=timezone.now() - timedelta(hours=1))
    newly, _ = mark()
    assert newly >= 1
    settle()
    alert = Alert.objects.get(rule=rule, key=f"report:{report.code}")
    assert alert.status == "active" and report.code in alert.headline
    assert "báo cáo cấp trên" in alert.description  # escalated to the unit's superior
    esc = Step.objects.get(report=report, action="escalate")
    assert not esc.public
    services.step(report.code, StepIn(action="accept"), operator)
    services.step(report.code, StepIn(action="resolve", note="Đã sửa"), operator)
    settle()
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_a_report_becomes_an_incident_and_keeps_the_link(operator: object) -> None:
    report = _new("flooding")
    done = services.to_incident(report.code, "flooding", 3, operator)
    assert done.incident is not None and done.incident.source == "citizen"
    assert report.code in done.incident.description
    with pytest.raises(InvalidStep):
        services.to_incident(report.code, "flooding", 3, operator)


def test_resolved_reports_close_after_seven_days_without_a_reopening(operator: object) -> None:
    from geo_ioc.core.jobs import app
    from geo_ioc.core.models import Event

    def resolved(days_ago: float, **contact: str) -> Report:
        report = _new("pothole", **contact)
        for action, note in (("accept", ""), ("resolve", "Đã vá")):
            services.step(report.code, StepIn(action=action, note=note), operator)
        at = timezone.now() - timedelta(days=days_ago)
        Report.objects.filter(pk=report.pk).update(resolved_at=at)
        return report

    old = resolved(7.1)
    recent = resolved(6.9)
    # Resolved 8 days ago, reopened and resolved again yesterday: its window starts again.
    again = resolved(8, device_id="device-close-01")
    Report.objects.filter(pk=again.pk).update(resolved_at=timezone.now() - timedelta(days=2))
    services.reopen(again.code, "Vẫn còn ổ gà", "device-close-01")
    services.step(again.code, StepIn(action="accept"), operator)
    services.step(again.code, StepIn(action="resolve", note="Đã vá lại"), operator)
    Report.objects.filter(pk=again.pk).update(resolved_at=timezone.now() - timedelta(days=1))

    last_event = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert services.close_resolved() >= 1
    assert services.close_resolved() == 0  # nothing left: idempotent
    for report, status in ((old, "closed"), (recent, "resolved"), (again, "resolved")):
        report.refresh_from_db()
        assert report.status == status, report.code
    assert old.closed_at is not None
    close = old.steps.get(action="close")
    assert close.actor is None and close.public and "7" in close.note
    # The console and the public map hear of it.
    assert Event.objects.filter(
        id__gt=last_event, layer="reports", operation="close", feature_id=old.pk
    ).exists()
    # A periodic job of the queue.
    registered = {p.task.name for p in app.periodic_registry.periodic_tasks.values()}
    assert "reports.close_resolved" in registered
