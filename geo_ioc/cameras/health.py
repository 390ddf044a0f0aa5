"""Health of cameras: heartbeats in, a status derived from them, stored only when it changes.

A heartbeat (from the camera or the video-management system, over HTTP or MQTT) updates the
camera's `Health` row, which is not a layer: a heartbeat every few seconds from every camera
must not flood the live log. The status — maintenance (set by staff), offline (no heartbeat for
`GEO_IOC_CAMERA_OFFLINE_SECONDS`), degraded (low frame rate, stale frames, tampering), online —
is written to the camera, with a `StatusChange`, only when it changes (a camera that never sent
a heartbeat keeps the status it was registered with: it is not monitored); that change is what the
map, the alert rules and uptime see. A silent camera changes nothing by itself, so the sweep
(`tasks.sweep_health`, `geo-ioc camera_mqtt` too) derives the status of every camera again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo_ioc.cameras.models import Camera, Health, StatusChange
from geo_ioc.cameras.queries import camera_feature
from geo_ioc.core.live import events

LAYER = "cameras"
MAX_BATCH = 500
DEGRADED_FPS_SHARE = 0.5  # below half the expected frame rate
STALE_FRAME_SECONDS = 60  # a heartbeat whose last frame is older than this: the video is stuck
Status = Camera.Status


class HeartbeatIn(BaseModel):
    """One heartbeat as sent."""

    model_config = ConfigDict(extra="forbid")
    camera: str = Field(min_length=1, max_length=32)
    at: datetime | None = None
    fps: float | None = Field(default=None, ge=0, le=240)
    bitrate_kbps: float | None = Field(default=None, ge=0, le=1_000_000)
    last_frame_at: datetime | None = None


@dataclass
class Report:
    """What a batch of heartbeats did."""

    accepted: int = 0
    changed: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "accepted": self.accepted,
            "status_changed": self.changed,
            "rejected": self.rejected,
        }


def offline_after() -> timedelta:
    """How long without a heartbeat makes a camera offline."""
    return timedelta(seconds=settings.GEO_IOC_CAMERA_OFFLINE_SECONDS)


def derive(camera: Camera, health: Health | None, now: datetime) -> str:
    """The status a camera should have now."""
    if camera.in_maintenance:
        return Status.MAINTENANCE
    if health is None:
        # Never reported: not monitored (yet), so the registry's word stands; maintenance is
        # only ever the flag's.
        return Status.OFFLINE if camera.status == Status.MAINTENANCE else camera.status
    if now - health.last_heartbeat_at > offline_after():
        return Status.OFFLINE
    slow = health.fps is not None and health.fps < DEGRADED_FPS_SHARE * camera.expected_fps
    stale = health.last_frame_at is not None and (
        health.last_heartbeat_at - health.last_frame_at > timedelta(seconds=STALE_FRAME_SECONDS)
    )
    if slow or stale or camera.tamper:
        return Status.DEGRADED
    return Status.ONLINE


def publish(cameras: Iterable[Camera], operation: str = "update") -> None:
    """A message per camera for live clients (the public feature: never URLs)."""
    events.record_many(LAYER, operation, [(c.pk, camera_feature(c)) for c in cameras])


def apply_status(cameras: Iterable[Camera], now: datetime) -> list[Camera]:
    """Derive and store the status of cameras (in the caller's transaction); return the changed."""
    cams = list(cameras)
    health = {h.camera_id: h for h in Health.objects.filter(camera__in=cams)}
    changed = []
    for cam in cams:
        status = derive(cam, health.get(cam.pk), now)
        if status != cam.status or cam.status_since is None:
            cam.status, cam.status_since = status, now
            cam.save(update_fields=["status", "status_since"])
            StatusChange.objects.create(camera=cam, at=now, status=status)
            changed.append(cam)
    if changed:
        publish(changed)
    return changed


def _parse(batch: list[Any]) -> tuple[list[tuple[int, HeartbeatIn]], list[dict[str, Any]]]:
    good, bad = [], []
    for i, raw in enumerate(batch):
        try:
            good.append((i, HeartbeatIn.model_validate(raw)))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "heartbeat"
            bad.append({"index": i, "reason": f"{where}: {err['msg']}"})
    return good, bad


def record_heartbeats(batch: list[Any], *, camera: str | None = None) -> Report:
    """Store heartbeats (a gateway's batch, or one camera's over MQTT) and derive statuses."""
    if camera is not None:
        batch = [{**b, "camera": camera} if isinstance(b, dict) else b for b in batch]
    good, bad = _parse(batch)
    report = Report(rejected=bad)
    now = timezone.now()
    with transaction.atomic():
        cams = {
            c.code: c
            for c in Camera.objects.select_for_update().filter(code__in={h.camera for _, h in good})
        }
        touched: dict[int, Camera] = {}
        for i, hb in good:
            cam = cams.get(hb.camera)
            if cam is None:
                report.rejected.append({"index": i, "reason": f"camera: no camera {hb.camera!r}"})
                continue
            at = min(hb.at or now, now)  # a clock ahead of ours does not keep a camera alive
            Health.objects.update_or_create(
                camera=cam,
                defaults={
                    "last_heartbeat_at": at,
                    "last_frame_at": hb.last_frame_at,
                    "fps": hb.fps,
                    "bitrate_kbps": hb.bitrate_kbps,
                },
            )
            touched[cam.pk] = cam
            report.accepted += 1
        report.changed = [c.code for c in apply_status(touched.values(), now)]
    report.rejected.sort(key=lambda r: int(r["index"]))
    return report


def sweep(now: datetime | None = None) -> list[str]:
    """Derive every camera's status again (silence shows only with time); codes that changed."""
    with transaction.atomic():
        cams = Camera.objects.select_for_update().order_by("pk")
        return [c.code for c in apply_status(cams, now or timezone.now())]


def set_maintenance(camera: Camera, on: bool) -> Camera:
    """Put a camera in maintenance or take it out, and derive its status."""
    with transaction.atomic():
        camera.in_maintenance = on
        camera.save(update_fields=["in_maintenance"])
        apply_status([camera], timezone.now())
    return camera
