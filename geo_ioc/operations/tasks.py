"""Jobs of operations: the sweep of alert rules that only time triggers (silent stations)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from geo_ioc.core import jobs
from geo_ioc.operations.models import Alert
from geo_ioc.operations.rulekinds import sweep_all


def sweep_alerts() -> tuple[int, int]:
    """Run every rule kind's sweep once (silent stations); returns open alerts before and after."""
    open_alerts = Alert.objects.exclude(status=Alert.Status.RESOLVED)
    before = open_alerts.count()
    with transaction.atomic():
        sweep_all()
    return before, open_alerts.count()


@jobs.periodic(name="operations.sweep_alerts", seconds=settings.GEO_IOC_SWEEP_SECONDS)
def sweep_alerts_task() -> int:
    """The alert sweep, every GEO_IOC_SWEEP_SECONDS on a worker; returns open alerts."""
    return sweep_alerts()[1]
