"""The cameras app's part of the KPI strip: cameras by status (`/indicators`)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from geo_ioc.cameras.models import Camera
from geo_ioc.indicators import schemas
from geo_ioc.indicators.parts import KpiPart


def camera_stats() -> schemas.Cameras:
    """Cameras by status."""
    counts = dict(
        Camera.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return schemas.Cameras(
        total=sum(counts.values()),
        online=counts.get(Camera.Status.ONLINE, 0),
        offline=counts.get(Camera.Status.OFFLINE, 0),
        maintenance=counts.get(Camera.Status.MAINTENANCE, 0),
    )


class CamerasPart(KpiPart):
    """Cameras online, offline and in maintenance."""

    key = "cameras"
    layer = "cameras"

    def compute(self, now: datetime, hours: int) -> schemas.Cameras:
        """Camera figures."""
        return camera_stats()
