"""Jobs of sensors: the freshness sweep that flags stations which fell silent."""

from __future__ import annotations

from django.conf import settings

from geo_ioc.core import jobs
from geo_ioc.sensors import freshness


@jobs.periodic(name="sensors.sweep_freshness", seconds=settings.GEO_IOC_SWEEP_SECONDS)
def sweep_freshness() -> int:
    """Bring the stored `stale` flags up to date (live update per change); returns changes."""
    return len(freshness.sweep())
