"""Occupancy of the analysis region, moving against stopped, and counts across lines.

Background subtraction over recent frames: the background starts as the median of the first
`WARM_UP` frames (moving traffic leaves the empty road) and then follows the scene with a running
average (`cv2.accumulateWeighted`), fast where the road is free and slow under vehicles, so a
queue is not learnt as road within minutes. Foreground that also differs from the previous frame
is moving; the rest of the foreground is stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

WARM_UP = 5
DIFF = 28  # grey levels: differences below are noise, light and compression
LEARN_FREE, LEARN_BUSY = 0.05, 0.005
MIN_BLOB = 12  # pixels at motion size
MAX_STEP = 0.12  # how far (0–1) a blob may move between frames and still be the same one


@dataclass
class MotionState:
    """What motion carries between frames (arrays at the motion size)."""

    warm: list[np.ndarray] = field(default_factory=list)
    background: np.ndarray | None = None
    previous: np.ndarray | None = None
    centroids: list[tuple[float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Motion:
    """Shares of the analysis region: occupied, moving, stopped; crossings per line and side."""

    occupancy: float | None
    moving: float | None
    stopped: float | None
    counts: dict[str, int]


def _cross(u: np.ndarray, v: np.ndarray) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def _crossings(
    before: list[tuple[float, float]],
    after: list[tuple[float, float]],
    lines: Sequence[dict[str, Any]],
) -> dict[str, int]:
    """Blobs whose step from the nearest previous blob crosses a line, by line and direction."""
    counts: dict[str, int] = {}
    if not before or not after:
        return counts
    prev = np.array(before)
    for x, y in after:
        d = np.hypot(prev[:, 0] - x, prev[:, 1] - y)
        i = int(d.argmin())
        if d[i] > MAX_STEP:
            continue
        p0, p1 = prev[i], np.array([x, y])
        for line in lines:
            a, b = np.array(line["a"], float), np.array(line["b"], float)
            side0 = _cross(b - a, p0 - a)
            side1 = _cross(b - a, p1 - a)
            if side0 * side1 >= 0:
                continue
            # …and the line's own ends lie on either side of the step (the segments cross).
            if _cross(p1 - p0, a - p0) * _cross(p1 - p0, b - p0) >= 0:
                continue
            key = f"{line.get('name', 'line')}:{'ab' if side0 < 0 else 'ba'}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def update(
    grey: np.ndarray,
    region: np.ndarray,
    state: MotionState,
    lines: Sequence[dict[str, Any]] = (),
    *,
    learn: bool = True,
) -> Motion:
    """Measure a frame (grey, motion size) against the state, and move the state on."""
    g = cv2.GaussianBlur(grey, (5, 5), 0)
    area = float(np.count_nonzero(region))
    if state.background is None:
        state.warm.append(g)
        state.previous = g
        if len(state.warm) >= WARM_UP:
            state.background = np.median(np.stack(state.warm), axis=0).astype(np.float32)
            state.warm = []
        return Motion(None, None, None, {})
    background = state.background
    fg: np.ndarray = (cv2.absdiff(g, cv2.convertScaleAbs(background)) > DIFF).astype(np.uint8) * 255
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    fg = cv2.bitwise_and(fg, region)
    prev = state.previous if state.previous is not None else g
    changed: np.ndarray = (cv2.absdiff(g, prev) > DIFF).astype(np.uint8) * 255
    changed = cv2.dilate(changed, np.ones((3, 3), np.uint8))
    moving = cv2.bitwise_and(fg, changed)
    stopped = cv2.bitwise_and(fg, cv2.bitwise_not(changed))
    share = (lambda m: float(np.count_nonzero(m)) / area) if area else (lambda m: 0.0)
    height, width = g.shape[:2]
    # Objects are whole foreground blobs that move (not the moving edges of a plain vehicle).
    n, labels, stats, centres = cv2.connectedComponentsWithStats(fg)
    in_motion = np.bincount(labels[moving > 0].astype(np.int64), minlength=n)
    blobs = [
        (float(centres[i][0]) / width, float(centres[i][1]) / height)
        for i in range(1, n)
        if stats[i, cv2.CC_STAT_AREA] >= MIN_BLOB and in_motion[i] > 0
    ]
    counts = _crossings(state.centroids, blobs, lines) if lines else {}
    if learn:
        cv2.accumulateWeighted(g, background, LEARN_FREE, mask=cv2.bitwise_not(fg))
        cv2.accumulateWeighted(g, background, LEARN_BUSY, mask=fg)
    state.previous = g
    state.centroids = blobs
    return Motion(share(fg), share(moving), share(stopped), counts)
