"""The alert-rule kind of reports: a report past its deadline, escalated to the unit's superior.

Only time makes a report overdue, so the sweep finds them (every GEO_IOC_SWEEP_SECONDS on a
worker), marks them (the `overdue` flag: the map and the console hear of it through the layer's
change feed), records an escalation step and raises one alert per report. A change to a report
(answered, resolved, rejected) ends its alert.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from geo_ioc.operations.models import Alert, AlertRule
from geo_ioc.operations.rulekinds import Changed, RuleKind, Rules
from geo_ioc.operations.rules import fire, resolve
from geo_ioc.reports.models import Report
from geo_ioc.reports.workflow import OPEN

LAYER = "reports"
S = Report.Status


class Overdue(BaseModel):
    """Reports past a deadline: forwarding, first answer or resolution."""

    model_config = ConfigDict(extra="forbid")
    categories: list[str] = Field(default_factory=list, description="codes; empty: all")
    radius_m: float = Field(default=200, gt=0, le=10_000, description="the area to warn")


def late(now: object = None) -> Q:
    """The condition of an overdue report, as a query."""
    now = now or timezone.now()
    return Q(status__in=OPEN) & (
        Q(status=S.RECEIVED, due_forward_at__lt=now)
        | Q(status=S.ROUTED, answered_at__isnull=True, due_answer_at__lt=now)
        | Q(due_resolve_at__lt=now)
    )


def which_deadline(report: Report) -> str:
    """Which deadline a late report missed, in Vietnamese."""
    now = timezone.now()
    if report.status == S.RECEIVED and report.due_forward_at and report.due_forward_at < now:
        return "chưa chuyển đơn vị xử lý"
    if report.due_resolve_at and report.due_resolve_at < now:
        return "quá hạn giải quyết"
    return "quá hạn phản hồi"


def mark() -> tuple[int, int]:
    """Bring the stored `overdue` flags up to date; returns (newly overdue, no longer)."""
    from geo_ioc.reports.services import add_step

    now = timezone.now()
    newly = list(Report.objects.filter(late(now), overdue=False).select_related("unit__parent"))
    for report in newly:
        parent = report.unit.parent if report.unit else None
        to = f" — báo cáo {parent.name}" if parent else ""
        add_step(report, "escalate", None, f"{which_deadline(report)}{to}", public=False)
    Report.objects.filter(pk__in=[r.pk for r in newly]).update(overdue=True, updated_at=now)
    ended = Report.objects.filter(overdue=True).exclude(late(now)).update(overdue=False)
    return len(newly), ended


def _alert(rule: AlertRule, p: Overdue, report: Report) -> None:
    parent = report.unit.parent if report.unit else None
    unit = report.unit.name if report.unit else "chưa có đơn vị"
    fire(
        rule,
        f"report:{report.code}",
        report.incident,
        headline=(
            f"{rule.event}: {report.code} {report.category.name_vi} — {which_deadline(report)}"
        ),
        description=(
            f"{report.description[:300]}\nĐơn vị: {unit}"
            + (f"; báo cáo cấp trên: {parent.name}" if parent else "")
        ),
        area_desc=report.area_name or report.address or report.code,
        area=report.geom,
        circle_radius_m=p.radius_m,
    )


def _open_alerts(rules: Rules) -> dict[tuple[int, str], Alert]:
    return {
        (a.rule_id, a.key): a
        for a in Alert.objects.filter(rule__in=[r for r, _ in rules], key__startswith="report:")
        .exclude(status=Alert.Status.RESOLVED)
        .select_related("rule")
    }


def _evaluate(reports: list[Report], rules: Rules) -> None:
    open_ = _open_alerts(rules)
    for report in reports:
        for rule, params in rules:
            if not isinstance(params, Overdue):
                continue
            applies = not params.categories or report.category.code in params.categories
            alert = open_.get((rule.pk, f"report:{report.code}"))
            holds = applies and report.overdue and report.status in OPEN
            if holds and alert is None:
                _alert(rule, params, report)
            elif not holds and alert is not None:
                resolve(alert)


def _changed(rules: Rules, changed: Changed) -> None:
    reports = Report.objects.select_related("category", "unit__parent", "incident").in_bulk(
        list(changed)
    )
    _evaluate([reports[pk] for pk in sorted(reports)], rules)


def _sweep(rules: Rules) -> None:
    mark()
    late_ones = Report.objects.filter(overdue=True, status__in=OPEN).select_related(
        "category", "unit__parent", "incident"
    )
    _evaluate(list(late_ones.order_by("pk")), rules)


REPORT_OVERDUE = RuleKind(
    name="report_overdue",
    label="Phản ánh quá hạn / Overdue citizen report",
    params=Overdue,
    layer=LAYER,
    evaluate=_changed,
    sweep=_sweep,
)
