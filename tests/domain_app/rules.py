"""The test domain's alert-rule kind: a kiosk that went offline."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from geo_ioc.operations.rulekinds import Changed, RuleKind, Rules
from geo_ioc.operations.rules import fire, open_alert, resolve
from tests.domain_app.models import Kiosk


class KioskOffline(BaseModel):
    """Kiosks (all, or these codes) whose status is offline."""

    model_config = ConfigDict(extra="forbid")
    codes: list[str] = Field(default_factory=list)


def _evaluate(rules: Rules, changed: Changed) -> None:
    for kiosk in Kiosk.objects.filter(pk__in=list(changed)).order_by("pk"):
        for rule, params in rules:
            assert isinstance(params, KioskOffline)
            if params.codes and kiosk.code not in params.codes:
                continue
            key = f"kiosk:{kiosk.code}"
            alert = open_alert(rule, key)
            if kiosk.status == "offline" and alert is None:
                fire(
                    rule,
                    key,
                    None,
                    headline=f"{rule.event}: {kiosk.name}",
                    area_desc=kiosk.name,
                    area=kiosk.geom,
                    circle_radius_m=100.0,
                )
            elif kiosk.status != "offline" and alert is not None:
                resolve(alert)


KIOSK_OFFLINE = RuleKind(
    name="kiosk_offline",
    label="Ki-ốt mất kết nối / Kiosk offline",
    params=KioskOffline,
    layer="kiosks",
    evaluate=_evaluate,
)
