"""Reads of reports, shaped for the public (no contact, ever) and for staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geo_ioc.core.errors import NotFound
from geo_ioc.reports.models import Report, Step

# What anyone may see of a report; the contact is in another table and never read here.
PUBLIC = (
    "code",
    "status",
    "source",
    "description",
    "address",
    "area_code",
    "area_name",
    "answer",
    "rejection",
    "reason",
    "synthetic",
)
TIMES = (
    "received_at",
    "updated_at",
    "due_answer_at",
    "due_resolve_at",
    "answered_at",
    "resolved_at",
    "closed_at",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def report_feature(report: Report) -> dict[str, Any]:
    """A report as a public GeoJSON Feature (live messages, the public page, the API)."""
    props: dict[str, Any] = {name: getattr(report, name) for name in PUBLIC}
    props.update({name: _iso(getattr(report, name)) for name in TIMES})
    category = report.category
    props.update(
        category=category.code,
        category_vi=category.name_vi,
        category_en=category.name_en,
        unit=report.unit.name if report.unit_id and report.unit else "",
        overdue=report.overdue,
        duplicate_of=report.duplicate_of.code
        if report.duplicate_of_id and report.duplicate_of
        else None,
    )
    # Ids only: the images themselves are served by `/reports/photos/<id>.jpg`.
    photos = list(report.photos.order_by("pk").values_list("pk", "role"))
    props["photos"] = [pk for pk, role in photos if role == "report"]
    props["answer_photos"] = [pk for pk, role in photos if role == "answer"]
    return {
        "type": "Feature",
        "id": report.pk,
        "geometry": {"type": "Point", "coordinates": [report.geom.x, report.geom.y]},
        "properties": props,
    }


def public_steps(report: Report) -> list[dict[str, Any]]:
    """The history the citizen sees: public steps, without staff names."""
    return [
        {
            "at": s.at.isoformat(),
            "action": s.action,
            "status": s.status,
            "note": s.note,
            "unit": s.unit.name if s.unit else "",
        }
        for s in report.steps.filter(public=True).select_related("unit")
    ]


def staff_steps(report: Report) -> list[dict[str, Any]]:
    """Every step with who took it."""
    return [
        {
            "at": s.at.isoformat(),
            "action": s.action,
            "status": s.status,
            "note": s.note,
            "public": s.public,
            "actor": s.actor_name,
            "unit": s.unit.code if s.unit else "",
        }
        for s in Step.objects.filter(report=report).select_related("unit")
    ]


def get_report(code: str) -> Report:
    """A report by tracking code (404 otherwise)."""
    found = (
        Report.objects.select_related("category", "unit", "duplicate_of")
        .filter(code=code.upper())
        .first()
    )
    if found is None:
        raise NotFound(f"No report has the code {code!r}.")
    return found
