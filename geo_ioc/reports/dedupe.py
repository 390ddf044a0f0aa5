"""Duplicates: open reports of the same category nearby, and merging one into another.

FixMyStreet offers reports within about 50 m; the window is the last 30 days of open reports.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from geo_ioc.reports import notify
from geo_ioc.reports.errors import InvalidReport, InvalidStep
from geo_ioc.reports.models import Category, Follower, Report, ReportContact
from geo_ioc.reports.routing import read_sql

RADIUS_M = 50.0
WINDOW = timedelta(days=30)


def nearby(
    category: Category,
    lon: float,
    lat: float,
    *,
    radius_m: float = RADIUS_M,
    limit: int = 5,
    exclude: int = 0,
) -> list[tuple[Report, float]]:
    """Open reports of the category within `radius_m`, nearest first, with their distance."""
    params: dict[str, Any] = {
        "lon": lon,
        "lat": lat,
        "category": category.pk,
        "radius": radius_m,
        "limit": limit,
        "since": timezone.now() - WINDOW,
        "exclude": exclude,
    }
    with connection.cursor() as cur:
        cur.execute(read_sql("nearby.sql"), params)
        rows = cur.fetchall()
    found = Report.objects.select_related("category", "unit").in_bulk([r[0] for r in rows])
    return [(found[pk], float(m)) for pk, m in rows if pk in found]


@transaction.atomic
def merge(duplicate: Report, original_code: str, user: object, note: str) -> Report:
    """Close `duplicate` as a duplicate of the original; its followers follow the original.

    The caller holds `duplicate` locked and saves it; the original is locked here.
    """
    from geo_ioc.reports.services import add_step, publish

    original = Report.objects.select_for_update().filter(code=original_code.upper()).first()
    if original is None:
        raise InvalidReport(f"No report has the code {original_code!r}.", field="duplicate_of")
    if original.pk == duplicate.pk or original.duplicate_of_id == duplicate.pk:
        raise InvalidStep("A report cannot be a duplicate of itself.", field="duplicate_of")
    if original.status == Report.Status.REJECTED:
        raise InvalidStep(f"{original.code} is itself rejected; merge into its original.")
    keys = set(Follower.objects.filter(report=duplicate).values_list("key", flat=True))
    contact = ReportContact.objects.filter(report=duplicate).first()
    if contact is not None:
        keys |= {contact.device_id, contact.email} - {""}
    for key in keys:
        Follower.objects.get_or_create(report=original, key=key)
    # Reports merged into the duplicate earlier now point at the original too.
    Report.objects.filter(duplicate_of=duplicate).update(duplicate_of=original)
    duplicate.status = Report.Status.REJECTED
    duplicate.rejection = Report.Rejection.DUPLICATE
    duplicate.duplicate_of = original
    duplicate.reason = note or f"Trùng với phản ánh {original.code}"
    merged = add_step(duplicate, "merge", user, duplicate.reason)  # type: ignore[arg-type]
    notify.enqueue(duplicate, merged)
    add_step(original, "merged", user, f"Gộp phản ánh {duplicate.code}")  # type: ignore[arg-type]
    original.save(update_fields=["updated_at"])
    publish(original, "merged")
    return original
