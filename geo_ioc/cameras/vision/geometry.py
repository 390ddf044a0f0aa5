"""Image geometry kept in 0–1 coordinates, turned into pixel masks at a frame's size."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Polygon = Sequence[Sequence[float]]


def to_pixels(polygon: Polygon, width: int, height: int) -> np.ndarray:
    """A 0–1 polygon as int32 pixel vertices for `cv2.fillPoly`."""
    pts = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    pts = pts * np.array([width - 1, height - 1])
    return np.round(pts).astype(np.int32)


def polygon_mask(polygons: Sequence[Polygon], width: int, height: int) -> np.ndarray:
    """uint8 mask (255 inside any of the polygons) of a frame's size."""
    mask = np.zeros((height, width), np.uint8)
    shapes = [to_pixels(p, width, height) for p in polygons if len(p) >= 3]
    if shapes:
        cv2.fillPoly(mask, shapes, 255)
    return mask


def region_mask(region: Polygon, masks: Sequence[Polygon], width: int, height: int) -> np.ndarray:
    """The pixels to analyse: inside the region (whole frame if empty), outside privacy masks."""
    inside = (
        polygon_mask([region], width, height)
        if len(region) >= 3
        else np.full((height, width), 255, np.uint8)
    )
    if masks:
        inside[polygon_mask(masks, width, height) > 0] = 0
    return inside
