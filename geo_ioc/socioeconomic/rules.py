"""Alert-rule kinds of the socio-economic domain, found by the alert sweep.

- `late_report`: an agency's monthly report is past its deadline and not received (ends when
  it arrives).
- `below_target`: an indicator's value of the last complete month is under its target
  (attainment below `min_attainment` %) in a watched unit.
- `out_of_interval`: the last complete period's actual lies outside the prediction interval
  forecast from the periods before it (`forecasts.py`).
"""

from __future__ import annotations

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from geo_ioc.operations.models import Alert, AlertRule
from geo_ioc.operations.rulekinds import Changed, RuleKind, Rules
from geo_ioc.operations.rules import fire, resolve
from geo_ioc.socioeconomic import analytics, forecasts, reporting
from geo_ioc.socioeconomic.models import AdminUnit, Indicator
from geo_ioc.socioeconomic.periods import month, parse

LAYER = "admin_units_2025"


class LateReport(BaseModel):
    """An agency's report missing after its deadline."""

    model_config = ConfigDict(extra="forbid")
    agencies: list[str] = Field(default_factory=list, description="codes; empty: all")
    months_back: int = Field(default=3, ge=1, le=24, description="months checked")


class BelowTarget(BaseModel):
    """An indicator under its target in a unit, last complete month."""

    model_config = ConfigDict(extra="forbid")
    indicators: list[str] = Field(min_length=1)
    units: list[str] = Field(default_factory=lambda: ["68"], description="unit codes")
    min_attainment: float = Field(default=100.0, gt=0, le=1000)


def _open(rule: AlertRule) -> dict[str, Alert]:
    return {a.key: a for a in rule.alerts.exclude(status=Alert.Status.RESOLVED)}


def _province() -> AdminUnit | None:
    return (
        AdminUnit.objects.filter(level="province", valid_to__isnull=True).order_by("code").first()
    )


def _late(rules: Rules) -> None:
    now = timezone.now()
    this = month(timezone.localdate(now))
    province = _province()
    if province is None:
        return
    for rule, p in rules:
        assert isinstance(p, LateReport)
        periods = [this.previous()]
        while len(periods) < p.months_back:
            periods.insert(0, periods[0].previous())
        open_ = _open(rule)
        for row in reporting.status(periods, now):
            if p.agencies and row.agency not in p.agencies:
                continue
            key = f"late_report:{row.agency}:{row.period}"
            if row.status == "missing" and key not in open_:
                fire(
                    rule,
                    key,
                    None,
                    headline=f"{rule.event}: {row.agency} chưa gửi báo cáo kỳ {row.period}"
                    f" (hạn {row.deadline}) / report for {row.period} overdue",
                    area_desc=province.name_vi,
                    area=province.geom,
                )
            elif row.status != "missing" and key in open_:
                resolve(open_[key])


def _below(rules: Rules) -> None:
    today = timezone.localdate()
    for rule, p in rules:
        assert isinstance(p, BelowTarget)
        query = analytics.parse_query(p.indicators, ["LAST_MONTH"], p.units, today)
        units = {u.code: u for u in query.units}
        open_ = _open(rule)
        for cell in analytics.run(query):
            key = f"below_target:{cell.indicator}:{cell.unit}:{cell.period}"
            below = cell.attainment is not None and cell.attainment < p.min_attainment
            if below and key not in open_:
                unit = units[cell.unit]
                fire(
                    rule,
                    key,
                    None,
                    headline=f"{rule.event}: {cell.indicator} {unit.name_vi} kỳ {cell.period}"
                    f" đạt {cell.attainment:.1f}% kế hoạch / {cell.attainment:.1f}% of target",
                    area_desc=unit.name_vi,
                    area=unit.geom,
                )
            elif not below and key in open_:
                resolve(open_[key])


class OutOfInterval(BaseModel):
    """An actual outside the interval forecast from its past."""

    model_config = ConfigDict(extra="forbid")
    indicators: list[str] = Field(min_length=1)
    units: list[str] = Field(default_factory=lambda: ["68"], description="unit codes")
    level: float = Field(default=0.95, gt=0.5, lt=1)


def _outside(rules: Rules) -> None:
    today = timezone.localdate()
    for rule, p in rules:
        assert isinstance(p, OutOfInterval)
        query = analytics.parse_query(p.indicators, ["LAST_MONTH"], p.units, today)
        open_ = _open(rule)
        for ind in query.indicators:
            for unit in query.units:
                check_interval(rule, ind, unit, p.level, open_)


def check_interval(
    rule: AlertRule, ind: Indicator, unit: AdminUnit, level: float, open_: dict[str, Alert]
) -> None:
    """Fire (or end) the alert of one indicator and unit against its forecast interval."""
    today = timezone.localdate()
    made = forecasts.forecast(ind, unit, today, horizon=1, level=level)
    if not made.history or made.method == "none":
        return
    last_key, actual = made.history[-1]
    before = forecasts.forecast(
        ind, unit, today, horizon=1, level=level, until=parse(last_key, today)[0].previous()
    )
    if not before.points or before.points[0].period != last_key:
        return
    point = before.points[0]
    key = f"out_of_interval:{ind.code}:{unit.code}:{last_key}"
    outside = not point.lower <= actual <= point.upper
    if outside and key not in open_:
        fire(
            rule,
            key,
            None,
            headline=f"{rule.event}: {ind.name_vi} {unit.name_vi} kỳ {last_key} = {actual:,.1f}"
            f" ngoài khoảng dự báo [{point.lower:,.1f}; {point.upper:,.1f}]"
            " / outside its forecast interval",
            area_desc=unit.name_vi,
            area=unit.geom,
        )
    elif not outside and key in open_:
        resolve(open_[key])


def _nothing(rules: Rules, changed: Changed) -> None:
    """Unit edits raise nothing: reports and targets are found by the sweep."""


LATE_REPORT = RuleKind(
    name="late_report",
    label="Báo cáo trễ hạn / Late report",
    params=LateReport,
    layer=LAYER,
    evaluate=_nothing,
    sweep=_late,
)
OUT_OF_INTERVAL = RuleKind(
    name="out_of_interval",
    label="Số liệu ngoài khoảng dự báo / Value outside its forecast",
    params=OutOfInterval,
    layer=LAYER,
    evaluate=_nothing,
    sweep=_outside,
)
BELOW_TARGET = RuleKind(
    name="below_target",
    label="Chỉ tiêu dưới kế hoạch / Indicator below target",
    params=BelowTarget,
    layer=LAYER,
    evaluate=_nothing,
    sweep=_below,
)
