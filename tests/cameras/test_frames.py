"""Frames end to end: a gateway uploads a JPEG, a worker masks, stores and analyses it.

The unmasked frame lives only in Redis memory until the worker takes it: the job carries a key,
the stored snapshot has its masks black and its face blurred, and no file or row holds a byte
sequence of the upload. Viewing the snapshot is audited.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
import redis
import skimage.data
from django.conf import settings

from geo_ioc.cameras import frames, synthetic
from geo_ioc.cameras.models import Camera, FrameMetrics, Snapshot
from geo_ioc.cameras.vision import privacy
from tests.conftest import ROOT, Users, running_server
from tests.helpers import auth, own_connection
from tests.jobs.worker import running_worker, wait_for

pytestmark = pytest.mark.django_db
REDIS = os.environ.get("GEO_IOC_TEST_REDIS", "redis://127.0.0.1:6379/0")


def street_with_a_face(masks: list) -> bytes:  # type: ignore[type-arg]
    """A street frame with a real face (bottom right) and a loud pattern under the first mask."""
    img = synthetic.Scene(seed=11).frame(0.3, 0)
    img[200:712, 760:1272] = skimage.data.astronaut()[:, :, ::-1]
    pattern = np.indices((40, 40)).sum(axis=0) % 2 * 255
    x0, y0 = int(masks[0][0][0] * 1280) + 20, int(masks[0][0][1] * 720) + 20
    img[y0 : y0 + 40, x0 : x0 + 40] = pattern[:, :, None].astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return jpeg.tobytes()


@pytest.fixture
def camera() -> Iterator[Camera]:
    """A demo camera with privacy masks; what the server and worker commit is removed after."""
    cam = Camera.objects.filter(kind="security").exclude(privacy_masks=[]).order_by("code").first()
    assert cam is not None
    yield cam
    with own_connection() as conn:
        for table in (
            "cameras_cameraevent",
            "cameras_framemetrics",
            "cameras_analyticsstate",
            "cameras_snapshot",
        ):
            conn.execute(f"DELETE FROM {table} WHERE camera_id = %s", [cam.pk])
        # The audit entries of the views stay: the audit log is append-only.


def files_holding(chunk: bytes, since: float) -> list[Path]:
    """Files written since `since` under the project's var/ and the temp folder holding `chunk`."""
    found = []
    roots = [ROOT / "var", Path(settings.GEO_IOC_UPLOAD_DIR), Path(tempfile.gettempdir())]
    for root in roots:
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                    if (
                        st.st_mtime >= since
                        and st.st_size < 50_000_000
                        and chunk in path.read_bytes()
                    ):
                        found.append(path)
                except OSError:
                    continue
    return found


def test_uploads_need_a_frames_redis_and_a_jpeg(http: httpx.Client, users: Users) -> None:
    url = "/cameras/CAM-001/frames"
    assert http.post(url, content=b"\xff\xd8\xff\xe0").status_code == 401
    bad = http.post(
        url, content=b"GIF89a", headers={**auth(users.operator), "Content-Type": "image/jpeg"}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_frame"
    # The session's server has no frames Redis: a gateway is told, nothing is kept.
    none = http.post(
        url,
        content=b"\xff\xd8\xff\xe0" + b"0" * 100,
        headers={**auth(users.operator), "Content-Type": "image/jpeg"},
    )
    assert none.status_code == 503 and none.json()["code"] == "frames_unavailable"


def test_upload_masked_in_a_worker_never_on_disk(users: Users, camera: Camera) -> None:
    client = redis.Redis.from_url(REDIS)
    client.ping()
    started = time.time()
    raw = street_with_a_face(camera.privacy_masks)
    before = Snapshot.objects.filter(camera=camera).count()
    env = {"GEO_IOC_CAMERA_FRAMES_REDIS": REDIS}
    with (
        running_server("cameras-frames-server.log", **env) as url,
        httpx.Client(base_url=url, timeout=30) as http,
    ):
        sent = http.post(
            f"/cameras/{camera.code}/frames",
            content=raw,
            headers={**auth(users.operator), "Content-Type": "image/jpeg"},
        )
        assert sent.status_code == 202, sent.text
        job = sent.json()["job"]
        with own_connection() as conn:
            args = conn.execute(
                "SELECT args FROM procrastinate_jobs WHERE id = %s", [job]
            ).fetchone()[0]  # type: ignore[index]
        key = args["key"]
        assert set(args) == {"camera", "key", "taken_at"} and len(str(args)) < 300, (
            "the job holds a key, not the frame"
        )
        assert client.get(key) == raw, "parked in memory"
        # No sweeps from this worker (a daily tick): they would commit the demo's silent-station
        # alerts under the tests that follow.
        quiet = {**env, "GEO_IOC_SWEEP_SECONDS": "86400"}
        with running_worker("cameras-frames-worker.log", **quiet), own_connection() as conn:
            wait_for(
                lambda: (
                    conn.execute(
                        "SELECT count(*) FROM cameras_snapshot WHERE camera_id = %s",
                        [camera.pk],
                    ).fetchone()[0]
                    > before
                ),  # type: ignore[index]
                90,
                "the worker to store the masked snapshot",
            )
        assert client.get(key) is None, "taken: gone from Redis"
        got = http.get(f"/cameras/{camera.code}/snapshot", headers=auth(users.operator))
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        assert got.headers["cache-control"] == "private, no-store"
        stored = got.content
    snapshot = Snapshot.objects.filter(camera=camera).order_by("-id").first()
    assert snapshot is not None and bytes(snapshot.jpeg) == stored
    assert snapshot.faces >= 1
    assert FrameMetrics.objects.filter(camera=camera).exists()
    image = frames.decode(stored)
    h, w = image.shape[:2]
    for mask in camera.privacy_masks:
        (x0, y0), (x1, y1) = mask[0], mask[2]
        inner = image[int(y0 * h) + 4 : int(y1 * h) - 4, int(x0 * w) + 4 : int(x1 * w) - 4]
        assert inner.max() < 16, "the mask is black (JPEG noise aside)"
    assert privacy.mask_frame(image, [], detect=True).faces == 0, "no face left to find"
    # No byte run of the upload anywhere: not in a file, not in the stored snapshots.
    chunk = raw[len(raw) // 2 : len(raw) // 2 + 64]
    assert files_holding(chunk, started) == []
    with own_connection() as conn:
        hits = conn.execute(
            "SELECT count(*) FROM cameras_snapshot WHERE position(%s in jpeg) > 0", [chunk]
        ).fetchone()[0]  # type: ignore[index]
        audit = conn.execute(
            "SELECT username, object_id, action FROM land_auditentry"
            " WHERE object_type = 'cameras.snapshot'"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert hits == 0
    assert audit == ("test_operator", snapshot.pk, "view_snapshot")
