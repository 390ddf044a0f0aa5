"""Faces and plates are looked for in the frames that are kept, and nothing else is stored.

With a frames Redis a camera's snapshot is kept every `GEO_IOC_CAMERA_SNAPSHOT_SECONDS`, and when
an event needs its evidence; the frames in between are analysed and measured, never stored, and
their motion images stay in Redis memory. What the database holds of the state (the reference
view) comes from a frame whose face was blurred. A real photo's face, a real Redis, PostGIS.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta

import cv2
import numpy as np
import pytest
import redis
import skimage.data
from django.utils import timezone
from pytest_django.fixtures import Settings

from geo_ioc.cameras import frames, synthetic
from geo_ioc.cameras.models import AnalyticsState, CameraEvent, FrameMetrics, Snapshot
from geo_ioc.cameras.vision import privacy
from tests.cameras.conftest import MakeCamera

pytestmark = pytest.mark.django_db
REDIS = os.environ.get("GEO_IOC_TEST_REDIS", "redis://127.0.0.1:6379/0")
MASKS = [[[0.0, 0.0], [0.2, 0.0], [0.2, 0.2], [0.0, 0.2]]]


def jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return data.tobytes()


def street(t: int) -> np.ndarray:
    """Light traffic, and a person (scikit-image's astronaut) standing bottom right."""
    img = synthetic.Scene(seed=5).frame(0.15, t)
    img[200:712, 760:1272] = skimage.data.astronaut()[:, :, ::-1]
    return img


def faces_in_grey(grey: np.ndarray) -> int:
    return privacy.mask_frame(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), []).faces


def test_only_kept_frames_are_searched_for_faces_and_stored(
    make_camera: MakeCamera, settings: Settings
) -> None:
    settings.GEO_IOC_CAMERA_FRAMES_REDIS = REDIS
    settings.GEO_IOC_CAMERA_SNAPSHOT_SECONDS = 30
    memory = redis.Redis.from_url(REDIS)
    camera = make_camera(privacy_masks=MASKS)
    key = f"{frames.MOTION_PREFIX}{camera.pk}"
    memory.delete(key)
    t0 = timezone.now().replace(microsecond=0)
    try:
        done = [
            frames.process(camera, jpeg(street(k)), t0 + timedelta(seconds=5 * k)) for k in range(7)
        ]
        # The first frame (no snapshot yet, and the reference view) and the one 30 s later.
        assert [d.snapshot_id is not None for d in done] == [True] + [False] * 5 + [True]
        snaps = list(Snapshot.objects.filter(camera=camera).order_by("taken_at"))
        assert [s.taken_at for s in snaps] == [t0, t0 + timedelta(seconds=30)]
        assert all(s.faces >= 1 for s in snaps)
        assert FrameMetrics.objects.filter(camera=camera).count() == 7, "every frame measured"
        assert done[-1].analysis.motion.occupancy is not None, "the background survived in Redis"

        stored = np.load(io.BytesIO(bytes(AnalyticsState.objects.get(camera=camera).data)))
        assert not {"warm", "background", "previous"} & set(stored.files)
        assert 0 < memory.ttl(key) <= frames.MOTION_SECONDS
        # The stored reference view is the blurred frame's: no face in it, where the same
        # frame unblurred shows one to the same detector.
        reference = cv2.imdecode(stored["reference_png"], cv2.IMREAD_GRAYSCALE)
        assert reference.shape == (360, 640)
        raw_grey = cv2.resize(
            cv2.cvtColor(street(0), cv2.COLOR_BGR2GRAY), (640, 360), interpolation=cv2.INTER_AREA
        )
        assert faces_in_grey(raw_grey) >= 1
        assert faces_in_grey(reference) == 0

        # A knocked camera between two snapshots: the event's evidence is kept, face blurred.
        turned = synthetic.turned(street(7))
        moved = frames.process(camera, jpeg(turned), t0 + timedelta(seconds=35))
        assert moved.events == ["moved"] and moved.snapshot_id is not None
        evidence = Snapshot.objects.get(pk=moved.snapshot_id)
        assert evidence.keep and evidence.faces >= 1
        assert CameraEvent.objects.get(camera=camera, kind="moved").snapshot_id == evidence.pk
        image = frames.decode(bytes(evidence.jpeg))
        assert privacy.mask_frame(image, [], detect=True).faces == 0, "no face left to find"
        assert image[: int(0.2 * 720) - 4, : int(0.2 * 1280) - 4].max() < 16, "the mask is black"
    finally:
        memory.delete(key)


def test_without_a_frames_redis_every_frame_is_fully_masked_and_kept(
    make_camera: MakeCamera, settings: Settings
) -> None:
    settings.GEO_IOC_CAMERA_FRAMES_REDIS = ""
    camera = make_camera(privacy_masks=MASKS)
    t0 = timezone.now()
    done = [
        frames.process(camera, jpeg(street(k)), t0 + timedelta(seconds=5 * k)) for k in range(2)
    ]
    assert all(d.snapshot_id is not None for d in done)
    assert all(s.faces >= 1 for s in Snapshot.objects.filter(camera=camera))
    stored = np.load(io.BytesIO(bytes(AnalyticsState.objects.get(camera=camera).data)))
    assert "previous" in stored.files, "the whole state is in the database"
