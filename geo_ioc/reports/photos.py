"""The photo pipeline: faces and number plates blurred, metadata dropped, nothing kept as sent.

Only real JPEG/PNG/WebP within limits are taken, decoded and re-encoded; the EXIF GPS is
offered as the location, every piece of metadata is dropped.

Nothing is stored as sent: the stored bytes are a fresh JPEG encoded from the blurred pixels.
Detection uses the Haar cascades bundled in the OpenCV wheel (`cv2.data.haarcascades`), so
nothing is downloaded at run time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

import cv2
import numpy as np
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from geo_ioc.reports.errors import InvalidPhoto, PhotoTooLarge

MAX_SIDE = 2048  # stored photos: longest side
THUMB_SIDE = 320
DETECT_SIDE = 1024  # detection runs on a copy this large (speed; Haar needs no more)
QUALITY = 85
MOSAIC = 6  # blocks across a hidden face or plate
MAX_PHOTOS = 3
# Magic numbers of the accepted formats; the decoder must agree with them.
MAGIC = {"JPEG": (b"\xff\xd8\xff",), "PNG": (b"\x89PNG\r\n\x1a\n",)}
CASCADES = (
    "haarcascade_frontalface_default.xml",
    "haarcascade_profileface.xml",
    "haarcascade_russian_plate_number.xml",
)


@dataclass(frozen=True)
class Processed:
    """A photo ready to store, and the location its EXIF offered (lon, lat)."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int
    blurred: int
    gps: tuple[float, float] | None


def sniff(data: bytes) -> str:
    """The format the first bytes announce: JPEG, PNG or WEBP; anything else is refused."""
    for fmt, magics in MAGIC.items():
        if any(data.startswith(m) for m in magics):
            return fmt
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise InvalidPhoto("Chỉ nhận ảnh JPEG, PNG hoặc WebP / Only JPEG, PNG or WebP photos.")


def _ratio(value: Any) -> float:
    return float(value[0]) / float(value[1]) if isinstance(value, tuple) else float(value)


def exif_gps(image: Image.Image) -> tuple[float, float] | None:
    """The location in the photo's EXIF (lon, lat), if it has a plausible one."""
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # a broken EXIF block is just no location
        return None
    try:
        lat = sum(_ratio(v) / 60**i for i, v in enumerate(gps[2]))
        lon = sum(_ratio(v) / 60**i for i, v in enumerate(gps[4]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    lat = -lat if gps.get(1) == "S" else lat
    lon = -lon if gps.get(3) == "W" else lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return round(lon, 7), round(lat, 7)


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
    if classifier.empty():
        raise RuntimeError(f"OpenCV cascade {name} is missing from the installed wheel")
    return classifier


def detect(bgr: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Faces (frontal, profile) and number plates, as boxes in the image's pixels."""
    h, w = bgr.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(h, w))
    small = cv2.resize(bgr, (round(w * scale), round(h * scale))) if scale < 1 else bgr
    grey = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
    boxes: list[tuple[int, int, int, int]] = []
    for name in CASCADES:
        found = _cascade(name).detectMultiScale(
            grey, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24)
        )
        boxes.extend(tuple(int(v / scale) for v in box) for box in found)  # type: ignore[misc]
    return boxes


def blur(bgr: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Hide each box (widened a little) beyond recognition: a coarse mosaic, then softened.

    A Gaussian blur alone keeps a face's low frequencies, which a detector (or a person) still
    reads as a face (so does a mosaic of eight blocks across); six blocks leave none of it.
    """
    out = bgr.copy()
    h, w = out.shape[:2]
    for x, y, bw, bh in boxes:
        pad_x, pad_y = bw // 5, bh // 5
        x0, y0 = max(0, x - pad_x), max(0, y - pad_y)
        x1, y1 = min(w, x + bw + pad_x), min(h, y + bh + pad_y)
        region = out[y0:y1, x0:x1]
        rh, rw = region.shape[:2]
        size = (MOSAIC, max(1, round(MOSAIC * rh / rw)))
        tiny = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
        mosaic = cv2.resize(tiny, (rw, rh), interpolation=cv2.INTER_NEAREST)
        k = max(3, (min(rw, rh) // 4) | 1)
        out[y0:y1, x0:x1] = cv2.GaussianBlur(mosaic, (k, k), 0)
    return out


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    # A fresh encode from pixels: no EXIF, XMP, ICC or comments are carried over.
    image.save(buf, "JPEG", quality=QUALITY, optimize=True)
    return buf.getvalue()


def process(data: bytes) -> Processed:
    """Check, decode, blur and re-encode one photo."""
    if len(data) > settings.GEO_IOC_REPORTS_PHOTO_MAX_BYTES:
        raise PhotoTooLarge(
            f"Ảnh quá lớn / The photo is larger than "
            f"{settings.GEO_IOC_REPORTS_PHOTO_MAX_BYTES // 1_000_000} MB."
        )
    announced = sniff(data)
    try:
        image: Image.Image = Image.open(io.BytesIO(data), formats=[announced])
        w, h = image.size
        if w * h > settings.GEO_IOC_REPORTS_PHOTO_MAX_PIXELS:
            raise PhotoTooLarge(f"The photo has {w}×{h} pixels, more than allowed.")
        gps = exif_gps(image)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise InvalidPhoto(
            f"Ảnh không đọc được / The file is not a valid {announced} image."
        ) from None
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    boxes = detect(bgr)
    clean = Image.fromarray(cv2.cvtColor(blur(bgr, boxes), cv2.COLOR_BGR2RGB))
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Processed(_jpeg(clean), _jpeg(thumb), clean.width, clean.height, len(boxes), gps)


def store(report: Any, data: bytes, *, role: str = "report") -> Any:
    """Process a photo and keep it with the report."""
    return save(report, process(data), role=role)


def save(report: Any, done: Processed, *, role: str = "report") -> Any:
    """Keep a processed photo with the report."""
    from geo_ioc.reports.models import Photo

    return Photo.objects.create(
        report=report,
        role=role,
        image=done.image,
        thumbnail=done.thumbnail,
        content_type="image/jpeg",
        width=done.width,
        height=done.height,
        blurred=done.blurred,
    )
