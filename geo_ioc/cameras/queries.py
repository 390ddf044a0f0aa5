"""Reads of the cameras app: a camera as the API shows it, snapshots, metrics, uptime."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from django.db import connection

from geo_ioc.cameras.models import Camera, FrameMetrics, Health, Snapshot

_UPTIME = resources.files("geo_ioc.cameras.sql").joinpath("uptime.sql").read_text("utf-8")
# Kept from anyone but admins (and never catalogue fields).
ADMIN_ONLY = ("stream_url", "snapshot_url")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def camera_feature(
    camera: Camera,
    *,
    admin: bool = False,
    health: Health | None = None,
    snapshot_id: int | None = None,
) -> dict[str, Any]:
    """A camera as GeoJSON; stream and snapshot URLs only for admins."""
    props: dict[str, Any] = {
        "code": camera.code,
        "name": camera.name,
        "kind": camera.kind,
        "owner_unit": camera.owner_unit,
        "status": camera.status,
        "status_since": _iso(camera.status_since),
        "in_maintenance": camera.in_maintenance,
        "road_name": camera.road_name,
        "heading_deg": camera.heading_deg,
        "fov_deg": camera.fov_deg,
        "range_m": camera.range_m,
        "mount_height_m": camera.mount_height_m,
        "tamper": camera.tamper,
        "tamper_confidence": camera.tamper_confidence,
        "congestion": camera.congestion,
        "occupancy": camera.occupancy,
        "analysed_at": _iso(camera.analysed_at),
        "privacy_masks": camera.privacy_masks,
        "analysis_region": camera.analysis_region,
        "counting_lines": camera.counting_lines,
    }
    if health is not None:
        props["health"] = {
            "last_heartbeat_at": _iso(health.last_heartbeat_at),
            "last_frame_at": _iso(health.last_frame_at),
            "fps": health.fps,
            "bitrate_kbps": health.bitrate_kbps,
        }
    if snapshot_id is not None:
        props["snapshot"] = f"/cameras/{camera.code}/snapshot?id={snapshot_id}"
    if admin:
        props.update({name: getattr(camera, name) for name in ADMIN_ONLY})
    return {
        "type": "Feature",
        "id": camera.pk,
        "geometry": {"type": "Point", "coordinates": [camera.geom.x, camera.geom.y]},
        "properties": props,
    }


def latest_snapshot_id(camera: Camera) -> int | None:
    """The id of the camera's newest stored (masked) snapshot."""
    return (
        Snapshot.objects.filter(camera=camera)
        .order_by("-taken_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


def metrics_series(camera: Camera, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` frame measures, oldest first (sparklines)."""
    rows = list(FrameMetrics.objects.filter(camera=camera).order_by("-at", "-id")[:limit])
    return [
        {
            "at": m.at.isoformat(),
            "blur": round(m.blur, 1),
            "brightness": round(m.brightness, 1),
            "entropy": round(m.entropy, 3),
            "occupancy": m.occupancy,
            "moving": m.moving,
            "stopped": m.stopped,
            "counts": m.counts,
        }
        for m in reversed(rows)
    ]


def uptime(now: datetime, hours: int) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Share of the known time online or degraded in the last `hours`, per camera and owner unit."""
    with connection.cursor() as cur:
        cur.execute(_UPTIME, {"since": now - timedelta(hours=hours), "now": now})
        rows = cur.fetchall()
    cams: dict[str, float | None] = {}
    units: dict[str, tuple[float, float]] = {}
    for code, unit, up, known in rows:
        cams[code] = round(up / known, 4) if known else None
        u_up, u_known = units.get(unit, (0.0, 0.0))
        units[unit] = (u_up + float(up or 0), u_known + float(known or 0))
    return cams, {u: (round(a / b, 4) if b else None) for u, (a, b) in units.items()}


def latest_snapshots(camera_ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """Per camera, the id and time of its newest snapshot (one query)."""
    rows = (
        Snapshot.objects.filter(camera_id__in=camera_ids)
        .order_by("camera_id", "-taken_at", "-id")
        .distinct("camera_id")
        .values_list("camera_id", "id", "taken_at")
    )
    return {cam: (sid, at) for cam, sid, at in rows}
