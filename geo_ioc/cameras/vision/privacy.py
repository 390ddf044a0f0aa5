"""Privacy before storage: masks blacked out, faces and number plates blurred.

The cascades ship with OpenCV (`cv2.data.haarcascades`, the plate cascade in the same folder),
so nothing is downloaded. Detection runs on a copy at most `DETECT_WIDTH` wide (a face under
~20 px there, ~40 px in a 1280-wide frame, is not recognisable in the stored JPEG either): the
cascades are most of a frame's cost (see `bench/cameras.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from geo_ioc.cameras.vision.geometry import Polygon, to_pixels

DETECT_WIDTH = 640
BLOCKS = 5  # mosaic blocks across a blurred face or plate
SCALE_STEP = 1.15  # the cascades' pyramid: 1.1 finds little more here at twice the cost
_CASCADES = {
    "face": "haarcascade_frontalface_default.xml",
    "plate": "haarcascade_russian_plate_number.xml",
}
_local = threading.local()  # a CascadeClassifier is not safe to share between threads


def cascade(name: str) -> cv2.CascadeClassifier:
    """The bundled cascade of this thread."""
    loaded: dict[str, cv2.CascadeClassifier] = getattr(_local, "cascades", {})
    if name not in loaded:
        path = Path(cv2.data.haarcascades) / _CASCADES[name]  # type: ignore[attr-defined]
        classifier = cv2.CascadeClassifier(str(path))
        if classifier.empty():
            raise RuntimeError(f"OpenCV cascade {path} did not load")
        loaded[name] = classifier
        _local.cascades = loaded
    return loaded[name]


@dataclass(frozen=True)
class Masked:
    """A frame fit to store, and what was hidden in it."""

    image: np.ndarray
    faces: int
    plates: int


def _detect(grey: np.ndarray, name: str, scale: float) -> list[tuple[int, int, int, int]]:
    found = cascade(name).detectMultiScale(
        grey, scaleFactor=SCALE_STEP, minNeighbors=4, minSize=(20, 20)
    )
    return [tuple(int(round(v / scale)) for v in box) for box in found]  # type: ignore[misc]


def _blur_box(image: np.ndarray, box: tuple[int, int, int, int]) -> None:
    x, y, w, h = box
    # Grow the box a little: a cascade's box is tight around the eyes and mouth.
    pad_w, pad_h = w // 5, h // 5
    x0, y0 = max(x - pad_w, 0), max(y - pad_h, 0)
    x1, y1 = min(x + w + pad_w, image.shape[1]), min(y + h + pad_h, image.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    # A mosaic of a few blocks, then smoothed: no face detector (or person) finds a face in it,
    # and the scene still reads. Twelve blocks across are not enough: a Haar cascade works on
    # 24×24 windows and still finds the face in them.
    blocks = (BLOCKS, max(1, round(BLOCKS * (y1 - y0) / (x1 - x0))))
    mosaic = cv2.resize(
        cv2.resize(roi, blocks, interpolation=cv2.INTER_AREA),
        (x1 - x0, y1 - y0),
        interpolation=cv2.INTER_NEAREST,
    )
    image[y0:y1, x0:x1] = cv2.GaussianBlur(mosaic, (0, 0), max(1.0, (x1 - x0) / BLOCKS / 2))


def mask_frame(image: np.ndarray, masks: Sequence[Polygon], *, detect: bool = True) -> Masked:
    """A copy of a BGR frame with masks black and faces and plates blurred."""
    out = image.copy()
    height, width = out.shape[:2]
    shapes = [to_pixels(p, width, height) for p in masks if len(p) >= 3]
    if shapes:
        # The very pixels of `geometry.polygon_mask`, filled black in place (no full-size mask).
        cv2.fillPoly(out, shapes, (0, 0, 0))
    faces: list[tuple[int, int, int, int]] = []
    plates: list[tuple[int, int, int, int]] = []
    if detect:
        scale = min(1.0, DETECT_WIDTH / width)
        grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
        if scale < 1.0:
            grey = cv2.resize(grey, (int(width * scale), int(height * scale)))
        grey = cv2.equalizeHist(grey)
        faces = _detect(grey, "face", scale)
        plates = _detect(grey, "plate", scale)
        for box in faces + plates:
            _blur_box(out, box)
    return Masked(out, len(faces), len(plates))
