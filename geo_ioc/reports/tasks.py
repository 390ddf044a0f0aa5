"""Jobs of reports: the sweep that marks reports past a deadline (alerts follow the flag)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from geo_ioc.core import jobs
from geo_ioc.reports.rules import mark


@jobs.periodic(name="reports.sweep_overdue", seconds=settings.GEO_IOC_SWEEP_SECONDS)
def sweep_overdue() -> int:
    """Mark newly overdue reports and clear the others; returns the newly overdue."""
    with transaction.atomic():
        return mark()[0]
