"""Image quality of a frame: sharpness, brightness and information (entropy)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Quality:
    """Measures over the valid pixels of a greyscale frame."""

    blur: float  # variance of the Laplacian: low when out of focus or smeared
    brightness: float  # mean grey level 0–255
    entropy: float  # bits per pixel of the grey histogram: low when the lens is covered


def measure(grey: np.ndarray, valid: np.ndarray) -> Quality:
    """Sharpness, brightness and entropy of `grey` where `valid` is set."""
    # The Laplacian of a mask's edge is not the scene's: keep a margin away from masked pixels.
    inner = cv2.erode(valid, np.ones((5, 5), np.uint8))
    use = inner > 0 if inner.any() else valid > 0
    lap = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    blur = float(lap[use].var()) if use.any() else 0.0
    hist = cv2.calcHist([grey], [0], valid, [256], [0, 256]).ravel()
    total = float(hist.sum())
    if total == 0:
        return Quality(blur=blur, brightness=0.0, entropy=0.0)
    p = hist[hist > 0] / total
    entropy = float(-(p * np.log2(p)).sum())
    brightness = float(cv2.mean(grey, mask=valid)[0])
    return Quality(blur=blur, brightness=brightness, entropy=entropy)
