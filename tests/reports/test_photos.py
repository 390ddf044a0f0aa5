"""The photo pipeline on real pixels: a face from scikit-image's bundled photo is blurred,
EXIF (with its GPS) is read then removed, a file lying about its type is refused."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage
from PIL import Image

from geo_ioc.reports.errors import InvalidPhoto, PhotoTooLarge
from geo_ioc.reports.photos import detect, process
from tests.reports.conftest import jpeg

# The astronaut photo (Eileen Collins, NASA, public domain) is a file inside the wheel.
ASTRONAUT = Path(skimage.__file__).parent / "data" / "astronaut.png"


def _faces(data: bytes) -> list[tuple[int, int, int, int]]:
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    grey = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    cascade = cv2.CascadeClassifier(
        cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
    )
    return [tuple(b) for b in cascade.detectMultiScale(grey, 1.1, 5, minSize=(24, 24))]


def test_the_sample_photo_is_shipped_not_downloaded() -> None:
    assert ASTRONAUT.is_file() and ASTRONAUT.stat().st_size > 100_000


def test_a_real_face_is_blurred_before_storage() -> None:
    original = ASTRONAUT.read_bytes()
    before = _faces(original)
    assert before, "the cascade finds the astronaut's face in the original"
    bgr = cv2.imdecode(np.frombuffer(original, np.uint8), cv2.IMREAD_COLOR)
    assert detect(bgr), "the pipeline's own detector finds it too"
    done = process(original)
    assert done.blurred >= 1
    assert _faces(done.image) == [], "no face is recognisable in what is stored"
    stored = cv2.imdecode(np.frombuffer(done.image, np.uint8), cv2.IMREAD_COLOR)
    x, y, w, h = before[0]
    face_before = cv2.cvtColor(bgr[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY)
    face_after = cv2.cvtColor(stored[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY)
    # Blurring removes the detail: the Laplacian's variance (sharpness) collapses.
    assert (
        cv2.Laplacian(face_after, cv2.CV_64F).var()
        < 0.2 * cv2.Laplacian(face_before, cv2.CV_64F).var()
    )
    assert done.image[:3] == b"\xff\xd8\xff" and done.image != original  # re-encoded as JPEG
    thumb = Image.open(io.BytesIO(done.thumbnail))
    assert max(thumb.size) == 320


def _with_exif() -> bytes:
    image = Image.open(io.BytesIO(jpeg()))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "SecretApp 1.0"  # Software
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (11.0, 56.0, 34.8), 3: "E", 4: (108.0, 26.0, 16.8)})
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, comment=b"taken at home")
    return buf.getvalue()


def test_exif_gps_is_offered_then_every_metadata_is_removed() -> None:
    sent = _with_exif()
    assert b"PhoneMaker" in sent and b"taken at home" in sent
    done = process(sent)
    lon, lat = done.gps or (0, 0)
    assert lon == pytest.approx(108.438, abs=1e-4) and lat == pytest.approx(11.943, abs=1e-4)
    stored = Image.open(io.BytesIO(done.image))
    assert not stored.getexif() and "exif" not in stored.info and "comment" not in stored.info
    for secret in (b"PhoneMaker", b"SecretApp", b"taken at home", b"Exif"):
        assert secret not in done.image and secret not in done.thumbnail


def test_png_and_webp_are_taken_and_become_jpeg() -> None:
    for fmt in ("PNG", "WEBP"):
        buf = io.BytesIO()
        Image.open(io.BytesIO(jpeg())).save(buf, fmt)
        done = process(buf.getvalue())
        assert done.image[:3] == b"\xff\xd8\xff" and (done.width, done.height) == (640, 480)


def test_a_file_lying_about_its_type_is_refused() -> None:
    with pytest.raises(InvalidPhoto):
        process(b"<?php system($_GET['c']); ?>" + b"\0" * 100)  # not an image at all
    with pytest.raises(InvalidPhoto):
        process(b"GIF89a" + jpeg()[6:])  # a GIF header
    with pytest.raises(InvalidPhoto):
        process(b"\xff\xd8\xff\xe0" + b"this is no JPEG" * 50)  # JPEG magic, no JPEG inside
    png = io.BytesIO()
    Image.open(io.BytesIO(jpeg())).save(png, "PNG")
    with pytest.raises(InvalidPhoto):  # PNG bytes whose first bytes claim JPEG
        process(b"\xff\xd8\xff" + png.getvalue()[3:])


def test_size_and_pixel_limits(settings: object) -> None:
    settings.GEO_IOC_REPORTS_PHOTO_MAX_BYTES = 10_000  # type: ignore[attr-defined]
    with pytest.raises(PhotoTooLarge):
        process(jpeg((800, 800)))
    settings.GEO_IOC_REPORTS_PHOTO_MAX_BYTES = 8_000_000  # type: ignore[attr-defined]
    settings.GEO_IOC_REPORTS_PHOTO_MAX_PIXELS = 100_000  # type: ignore[attr-defined]
    with pytest.raises(PhotoTooLarge):
        process(jpeg((400, 300)))
