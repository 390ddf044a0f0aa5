"""The cameras app's part of the KPI strip (`/indicators`): status, tampering, uptime."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from geo_ioc.cameras.models import Camera
from geo_ioc.cameras.queries import uptime
from geo_ioc.indicators import schemas
from geo_ioc.indicators.parts import KpiPart


class CameraFigures(schemas.Cameras):
    """Cameras by status, how many are tampered or see a queue, and uptime."""

    degraded: int
    tampered: int
    congested: int
    uptime: float | None  # share of known time online or degraded over the window, all cameras
    uptime_by_owner: dict[str, float | None]


def camera_stats(now: datetime, hours: int) -> CameraFigures:
    """Cameras by status, tampered, congested; uptime over the last `hours`."""
    counts = dict(
        Camera.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    per_camera, per_owner = uptime(now, hours)
    known = [v for v in per_camera.values() if v is not None]
    return CameraFigures(
        total=sum(counts.values()),
        online=counts.get(Camera.Status.ONLINE, 0),
        degraded=counts.get(Camera.Status.DEGRADED, 0),
        offline=counts.get(Camera.Status.OFFLINE, 0),
        maintenance=counts.get(Camera.Status.MAINTENANCE, 0),
        tampered=Camera.objects.exclude(tamper="").count(),
        congested=Camera.objects.filter(congestion__isnull=False).count(),
        uptime=round(sum(known) / len(known), 4) if known else None,
        uptime_by_owner=per_owner,
    )


class CamerasPart(KpiPart):
    """Cameras online, degraded, offline and in maintenance; tampering and uptime."""

    key = "cameras"
    layer = "cameras"

    def compute(self, now: datetime, hours: int) -> CameraFigures:
        """Camera figures."""
        return camera_stats(now, hours)
