"""The console's monthly report form: what an agency's user reports for one month.

The form lists the user's agencies' monthly indicators that are reported (ratios are computed
from their parts, not reported), today's communes and the values already held for the month.
What the form sends goes through the upload's own check and write (`uploads`), so a bad cell
changes nothing and is named, and the agency's receipt for the month is recorded.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from geo_ioc.socioeconomic.models import AdminUnit, Aggregation, Indicator, Level, Value
from geo_ioc.socioeconomic.periods import Period
from geo_ioc.socioeconomic.uploads import agency_codes


def form(user: AbstractBaseUser, period: Period) -> dict[str, Any]:
    """The form's content for a month: indicators, units and the values already held."""
    inds = Indicator.objects.filter(periodicity="month").exclude(aggregation=Aggregation.RATIO)
    allowed = agency_codes(user)
    if allowed is not None:
        inds = inds.filter(agency__code__in=allowed)
    inds = inds.select_related("agency").order_by("group", "code")
    units = (
        AdminUnit.objects.filter(level=Level.COMMUNE, valid_from__lte=period.start)
        .exclude(valid_to__lt=period.start)
        .order_by("code")
    )
    held: dict[str, dict[str, float]] = {}
    for code, unit, value in Value.objects.filter(
        indicator__in=inds, period=period.start, unit__in=units, disaggregation=""
    ).values_list("indicator__code", "unit__code", "value"):
        held.setdefault(code, {})[unit] = value
    return {
        "period": period.key,
        "indicators": [
            {
                "code": i.code,
                "name_vi": i.name_vi,
                "name_en": i.name_en,
                "unit_vi": i.unit_vi,
                "unit_en": i.unit_en,
                "agency": i.agency.code,
                "deadline_days": i.deadline_days,
            }
            for i in inds
        ],
        "units": [{"code": u.code, "name_vi": u.name_vi, "name_en": u.name_en} for u in units],
        "values": held,
    }
