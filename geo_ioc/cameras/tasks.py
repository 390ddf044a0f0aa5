"""Jobs of cameras: frame analysis, snapshot pulls, the health sweep and retention."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from geo_ioc.cameras import anpr, frames, health
from geo_ioc.cameras.models import Camera, FrameMetrics
from geo_ioc.core import jobs

log = logging.getLogger(__name__)
PULL_TIMEOUT = 5.0
METRICS_KEEP_DAYS = 7


def _outcome(done: frames.Processed) -> str:
    kept = f"snapshot {done.snapshot_id}" if done.snapshot_id else "analysed, not kept"
    return kept + (f", events {done.events}" if done.events else "")


@jobs.task(name="cameras.analyse_upload", queue="cameras", retries=0)
def analyse_upload(run: jobs.Run, *, camera: str, key: str, taken_at: str | None = None) -> str:
    """Take an uploaded frame from its memory handoff, mask, store and analyse it."""
    client = frames.frames_redis()
    if client is None:
        return "no frames redis configured"
    data = frames.take(client, key)
    if data is None:
        return "expired"  # too late: the frame is gone, as it must be
    cam = Camera.objects.filter(code=camera).first()
    if cam is None:
        return "camera removed"
    at = datetime.fromisoformat(taken_at) if taken_at else None
    done = frames.process(cam, data, at)
    return _outcome(done)


@jobs.task(name="cameras.pull_snapshot", queue="cameras", retries=0)
def pull_snapshot(run: jobs.Run, *, camera: str) -> str:
    """Fetch one camera's snapshot URL and process the frame (it stays in this process)."""
    cam = Camera.objects.filter(code=camera).exclude(snapshot_url="").first()
    if cam is None:
        return "no snapshot URL"
    try:
        response = httpx.get(cam.snapshot_url, timeout=PULL_TIMEOUT, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("camera %s: snapshot pull failed: %s", camera, exc)
        return "unreachable"
    return _outcome(frames.process(cam, response.content))


def pull_all() -> int:
    """Queue a pull of every camera that has a snapshot URL and is not offline or in maintenance."""
    codes = (
        Camera.objects.exclude(snapshot_url="")
        .exclude(status__in=[Camera.Status.OFFLINE, Camera.Status.MAINTENANCE])
        .values_list("code", flat=True)
    )
    for code in codes:
        jobs.defer(pull_snapshot, camera=code)
    return len(codes)


if settings.GEO_IOC_CAMERA_PULL_SECONDS:

    @jobs.periodic(name="cameras.pull_snapshots", seconds=settings.GEO_IOC_CAMERA_PULL_SECONDS)
    def pull_snapshots() -> int:
        """Pull every camera's snapshot on the schedule (one job each, shared by the workers)."""
        return pull_all()


@jobs.periodic(name="cameras.sweep_health", seconds=settings.GEO_IOC_SWEEP_SECONDS)
def sweep_health() -> int:
    """Derive every camera's status again: a silent camera shows only with time."""
    return len(health.sweep())


@jobs.periodic(name="cameras.retention", seconds=600)
def retention() -> int:
    """Prune old snapshots and measures, and number-plate reads past their legal limit."""
    gone = frames.prune_snapshots()
    cutoff = timezone.now() - timedelta(days=METRICS_KEEP_DAYS)
    gone += FrameMetrics.objects.filter(at__lt=cutoff).delete()[0]
    return gone + anpr.prune()
