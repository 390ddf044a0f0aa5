"""Has the camera moved? ORB features of the frame matched against its reference view."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np

FEATURES = 500
MIN_MATCHES = 12
_local = threading.local()


def _orb() -> cv2.ORB:
    orb: cv2.ORB | None = getattr(_local, "orb", None)
    if orb is None:
        orb = cv2.ORB.create(nfeatures=FEATURES)
        _local.orb = orb
    return orb


@dataclass(frozen=True)
class Features:
    """Keypoint positions (N×2 float32) and their ORB descriptors (N×32 uint8)."""

    points: np.ndarray
    descriptors: np.ndarray


def features(grey: np.ndarray, valid: np.ndarray) -> Features:
    """ORB features of a frame, only where `valid` is set."""
    keypoints, desc = _orb().detectAndCompute(grey, valid)
    if desc is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8))
    pts = np.array([k.pt for k in keypoints], np.float32)
    return Features(pts, desc)


@dataclass(frozen=True)
class Shift:
    """How the view moved against the reference: pixels, degrees, and the share that agrees."""

    translation_px: float | None
    rotation_deg: float | None
    match_share: float  # inliers of the fitted motion / reference features (0: nothing matches)


def compare(reference: Features, current: Features) -> Shift:
    """Fit a similarity (shift, rotation, scale) between matched features, robustly (RANSAC)."""
    if len(reference.points) < MIN_MATCHES or len(current.points) < MIN_MATCHES:
        return Shift(None, None, 0.0)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)
    matches = matcher.match(reference.descriptors, current.descriptors)
    if len(matches) < MIN_MATCHES:
        return Shift(None, None, 0.0)
    src = np.array([reference.points[m.queryIdx] for m in matches], np.float32)
    dst = np.array([current.points[m.trainIdx] for m in matches], np.float32)
    model, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0
    )
    if model is None or inliers is None:
        return Shift(None, None, 0.0)
    count = int(inliers.sum())
    share = count / len(reference.points)
    if count < MIN_MATCHES:
        return Shift(None, None, share)
    return Shift(
        translation_px=float(math.hypot(model[0, 2], model[1, 2])),
        rotation_deg=float(math.degrees(math.atan2(model[1, 0], model[0, 0]))),
        match_share=share,
    )
