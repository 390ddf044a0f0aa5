"""Analytics as CSV/XLSX, and the registry and values as packages shaped after QCVN 125:2021.

QCVN 125:2021/BTTTT names the packages exchanged between reporting systems (indicator
catalogue; KPI set, group and disaggregation catalogues; KPI data; report status); the
field-level names of its text were not at hand, so the fields here are ours, under the
package names, and the document says so in `note`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from geo_ioc.socioeconomic.analytics import Cell
from geo_ioc.socioeconomic.models import Indicator, Submission, Value

HEADER = ["indicator", "period", "unit", "value", "target", "attainment", "previous", "change"]


def cells_csv(cells: list[Cell]) -> bytes:
    """UTF-8 CSV with a BOM (Excel keeps Vietnamese)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    for c in cells:
        w.writerow([getattr(c, h) for h in HEADER])
    return ("\ufeff" + out.getvalue()).encode()


def cells_xlsx(cells: list[Cell]) -> bytes:
    """One sheet of cells."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("analytics")
    ws.append(HEADER)
    for c in cells:
        ws.append([getattr(c, h) for h in HEADER])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def qcvn125(values_since: Any = None) -> dict[str, Any]:
    """The registry, values and report status as QCVN 125-shaped packages."""
    inds = list(Indicator.objects.select_related("agency", "weight", "numerator", "denominator"))
    groups = sorted({i.group for i in inds})
    dims = sorted({(d, tuple(m)) for i in inds for d, m in i.disaggregations.items()})
    values = Value.objects.select_related("indicator", "unit").order_by("indicator__code", "period")
    if values_since is not None:
        values = values.filter(period__gte=values_since)
    return {
        "standard": "QCVN 125:2021/BTTTT",
        "note": (
            "Package names follow QCVN 125:2021/BTTTT; field names inside each package are "
            "geo-ioc's own, as the standard's field-level text could not be checked."
        ),
        "indicator_catalogue": qcvn125_catalogue(inds),
        "kpi_set": [{"code": "socioeconomic", "indicators": [i.code for i in inds]}],
        "kpi_group": [
            {"code": g, "indicators": [i.code for i in inds if i.group == g]} for g in groups
        ],
        "kpi_disaggregation": [{"code": d, "members": list(m)} for d, m in dims],
        "kpi_data": [
            {
                "indicator": v.indicator.code,
                "period": f"{v.period:%Y%m}",
                "unit": v.unit.code,
                "disaggregation": v.disaggregation or None,
                "value": v.value,
                "reported_at": v.reported_at.isoformat(),
                "synthetic": v.synthetic,
            }
            for v in values.iterator(chunk_size=5000)
        ],
        "report_status": [
            {
                "agency": s.agency.code,
                "period": f"{s.period:%Y%m}",
                "received_at": s.received_at.isoformat(),
                "rows": s.rows,
            }
            for s in Submission.objects.select_related("agency").order_by("period", "agency__code")
        ],
    }


def qcvn125_catalogue(inds: list[Indicator]) -> list[dict[str, Any]]:
    """The indicator catalogue package: one entry per indicator."""
    return [
        {
            "code": i.code,
            "name_vi": i.name_vi,
            "name_en": i.name_en,
            "unit_of_measure": i.unit_vi,
            "kpi_group": i.group,
            "periodicity": i.periodicity,
            "aggregation": i.aggregation,
            "weight": i.weight.code if i.weight else None,
            "numerator": i.numerator.code if i.numerator else None,
            "denominator": i.denominator.code if i.denominator else None,
            "factor": i.factor,
            "higher_is_better": i.higher_is_better,
            "source_agency": i.agency.code,
            "deadline_days": i.deadline_days,
            "disaggregations": sorted(i.disaggregations),
            "synthetic": i.synthetic,
        }
        for i in inds
    ]
