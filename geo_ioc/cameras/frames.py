"""Frames: from a gateway's upload or a snapshot URL, masked, stored, analysed — in a worker.

Privacy comes first. An uploaded JPEG is not decoded in the web process: it is parked in Redis
memory (`GEO_IOC_CAMERA_FRAMES_REDIS`, a Redis without persistence) under a random key for at
most `HANDOFF_SECONDS`, and the job carries only the key. The worker takes it (GETDEL), decodes
it and blacks out the camera's masks. Looking for faces and plates is most of a frame's cost, so
it is done for the frames that are kept or shown: a camera's snapshot every
`GEO_IOC_CAMERA_SNAPSHOT_SECONDS`, a frame that becomes the reference view, and the evidence of an
event. Such a frame has its faces and plates blurred (`vision.privacy`) before it is encoded and
stored. The frames in between are analysed (`vision.chain`, masked areas left out of every
measure) and never stored: what they leave in the analytics state — the small motion images —
stays in the same memory-only Redis (`MOTION_SECONDS`), while the database keeps the measures
and the part of the state no unblurred frame made. A pulled snapshot never leaves the worker's
memory before masking. Without a frames Redis every frame is fully masked and stored, as the
whole state then is.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import cv2
import numpy as np
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from geo_ioc.cameras import health
from geo_ioc.cameras.models import AnalyticsState, Camera, CameraEvent, FrameMetrics, Snapshot
from geo_ioc.cameras.vision import chain, privacy

HANDOFF_PREFIX = "geo-ioc:camera-frame:"
HANDOFF_SECONDS = 120
MOTION_PREFIX = "geo-ioc:camera-motion:"
MOTION_SECONDS = 900  # a camera silent this long starts its background again
JPEG_QUALITY = 80
JPEG_MAGIC = b"\xff\xd8\xff"
_PRUNE = resources.files("geo_ioc.cameras.sql").joinpath("prune_snapshots.sql").read_text("utf-8")


class FrameRefused(ValueError):
    """The bytes are not a usable image."""


def frames_redis() -> redis.Redis | None:
    """The Redis that holds uploaded frames until their job takes them (None: not configured)."""
    url = settings.GEO_IOC_CAMERA_FRAMES_REDIS
    return _client(url) if url else None


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)  # one connection pool per worker process


def park(client: redis.Redis, data: bytes) -> str:
    """Put an uploaded frame in Redis memory for its job; returns the key."""
    key = f"{HANDOFF_PREFIX}{uuid.uuid4().hex}"
    client.set(key, data, ex=HANDOFF_SECONDS)
    return key


def take(client: redis.Redis, key: str) -> bytes | None:
    """Take a parked frame (it is gone from Redis after this); None when it expired."""
    if not key.startswith(HANDOFF_PREFIX):
        raise FrameRefused(f"not a frame key: {key!r}")
    data = client.getdel(key)
    return bytes(data) if data is not None else None  # type: ignore[arg-type]


def decode(data: bytes) -> np.ndarray:
    """A BGR image from JPEG (or PNG) bytes."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise FrameRefused("the bytes are not an image OpenCV can read")
    return image


@dataclass(frozen=True)
class Processed:
    """What one frame left behind."""

    snapshot_id: int | None  # None: analysed only, not kept
    analysis: chain.Analysis
    events: list[str]


def _changes(
    camera: Camera, a: chain.Analysis
) -> tuple[dict[str, object], list[tuple[str, float]]]:
    """The camera fields to store and the events to record, when the analytics' verdict changed."""
    fields: dict[str, object] = {}
    new_events: list[tuple[str, float]] = []
    if a.tamper != camera.tamper:
        fields["tamper"] = a.tamper
        fields["tamper_confidence"] = a.tamper_confidence if a.tamper else None
        if a.tamper:
            new_events.append((a.tamper, a.tamper_confidence))
    congestion = a.motion.stopped if a.congested else None
    if (congestion is None) != (camera.congestion is None):
        fields["congestion"] = congestion
        fields["occupancy"] = a.motion.occupancy
        if congestion is not None:
            new_events.append((CameraEvent.Kind.CONGESTION, a.congestion_confidence))
    return fields, new_events


def _encode(image: np.ndarray) -> bytes:
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise FrameRefused("the masked frame could not be encoded")
    return jpeg.tobytes()


def _snapshot_due(camera: Camera, at: datetime) -> bool:
    """No snapshot of the camera within `GEO_IOC_CAMERA_SNAPSHOT_SECONDS` before `at`."""
    last = (
        Snapshot.objects.filter(camera=camera, taken_at__lte=at)
        .order_by("-taken_at")
        .values_list("taken_at", flat=True)
        .first()
    )
    return last is None or (at - last).total_seconds() >= settings.GEO_IOC_CAMERA_SNAPSHOT_SECONDS


def process(camera: Camera, data: bytes, taken_at: datetime | None = None) -> Processed:
    """Mask and analyse one frame of a camera, and store it if it is due (in a worker)."""
    image = decode(data)
    at = taken_at or timezone.now()
    memory = frames_redis()
    motion_key = f"{MOTION_PREFIX}{camera.pk}"
    with transaction.atomic():
        # One camera's frames are analysed one at a time: the state row is the lock.
        row, _ = AnalyticsState.objects.select_for_update().get_or_create(
            camera=camera, defaults={"data": b""}
        )
        cam = Camera.objects.select_for_update().get(pk=camera.pk)
        state = chain.loads(row.data)
        if memory is not None:
            chain.loads_motion(state, memory.get(motion_key))  # type: ignore[arg-type]
        keep = memory is None or _snapshot_due(cam, at) or chain.wants_reference(state)
        masked = privacy.mask_frame(image, cam.privacy_masks, detect=keep)
        a = chain.analyse(
            masked.image,
            state,
            masks=cam.privacy_masks,
            region=cam.analysis_region,
            lines=cam.counting_lines,
            hidden=keep,
        )
        fields, new_events = _changes(cam, a)
        if new_events and not keep:
            keep = True  # the evidence is shown: its faces and plates are blurred first
            masked = privacy.mask_frame(image, cam.privacy_masks)
        del image  # nothing below sees the unmasked pixels
        snapshot: Snapshot | None = None
        if keep:
            height, width = masked.image.shape[:2]
            snapshot = Snapshot.objects.create(
                camera=cam,
                taken_at=at,
                jpeg=_encode(masked.image),
                width=width,
                height=height,
                faces=masked.faces,
                plates=masked.plates,
                keep=bool(new_events),
            )
        FrameMetrics.objects.create(
            camera=cam,
            at=at,
            blur=a.quality.blur,
            brightness=a.quality.brightness,
            entropy=a.quality.entropy,
            displacement_px=a.shift.translation_px if a.shift else None,
            match_share=a.shift.match_share if a.shift else None,
            scene_change=a.scene_change,
            occupancy=a.motion.occupancy,
            moving=a.motion.moving,
            stopped=a.motion.stopped,
            counts=a.motion.counts,
        )
        if memory is None:
            row.data = chain.dumps(state)
        else:
            row.data = chain.dumps(state, motion=False)
            memory.set(motion_key, chain.dumps_motion(state), ex=MOTION_SECONDS)
        row.frames += 1
        row.save(update_fields=["data", "frames", "updated_at"])
        for kind, confidence in new_events:
            CameraEvent.objects.create(
                camera=cam,
                kind=kind,
                at=at,
                confidence=round(confidence, 3),
                snapshot=snapshot,
                detail={
                    "blur": round(a.quality.blur, 1),
                    "brightness": round(a.quality.brightness, 1),
                    "entropy": round(a.quality.entropy, 3),
                    "match_share": a.shift.match_share if a.shift else None,
                    "occupancy": a.motion.occupancy,
                    "stopped": a.motion.stopped,
                },
            )
        if fields:
            for name, value in fields.items():
                setattr(cam, name, value)
            cam.analysed_at = at
            cam.save(update_fields=[*fields, "analysed_at"])
            # Tampering degrades the camera; publish the change whatever the status does.
            if not health.apply_status([cam], timezone.now()):
                health.publish([cam])
    return Processed(snapshot.pk if snapshot else None, a, [k for k, _ in new_events])


def prune_snapshots(keep: int | None = None) -> int:
    """Delete all but the newest `keep` snapshots of each camera (event evidence stays)."""
    with connection.cursor() as cur:
        cur.execute(_PRUNE, {"keep": keep or settings.GEO_IOC_CAMERA_SNAPSHOTS_KEEP})
        return int(cur.rowcount)
