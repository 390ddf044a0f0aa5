"""A reproducible street scene drawn with OpenCV, so every analytic has a case with a known answer.

`Scene(seed)` draws a fixed backdrop (façades with windows, trees, a three-lane road) and puts
vehicles on the lanes at a chosen density, moving or queued; `covered`, `blurred` and `turned`
spoil a frame the way tampering does. Same seed, same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# Lanes as (top, bottom) in 0–1 frame heights: the road fills the demo cameras' analysis region.
LANES = ((0.46, 0.63), (0.65, 0.82), (0.84, 1.0))
CAR_WIDTH = 0.11  # of the frame width


@dataclass
class Scene:
    """A street seen by one camera."""

    seed: int = 0
    width: int = 1280
    height: int = 720
    backdrop: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        w, h = self.width, self.height
        img = np.zeros((h, w, 3), np.uint8)
        img[:] = (200, 170, 140)  # sky
        x = 0
        while x < w:  # façades along the street, each with its own colour and windows
            bw = int(rng.integers(w // 12, w // 6))
            top = int(rng.integers(int(0.08 * h), int(0.3 * h)))
            colour = tuple(int(c) for c in rng.integers(60, 220, 3))
            cv2.rectangle(img, (x, top), (x + bw, int(0.46 * h)), colour, -1)
            for wy in range(top + 10, int(0.42 * h), 28):
                for wx in range(x + 8, x + bw - 14, 24):
                    shade = int(rng.integers(20, 120))
                    cv2.rectangle(img, (wx, wy), (wx + 12, wy + 16), (shade, shade, shade + 30), -1)
            x += bw + int(rng.integers(2, 12))
        for _ in range(8):  # trees in front of the façades
            cx = int(rng.integers(0, w))
            cv2.circle(img, (cx, int(0.4 * h)), int(rng.integers(20, 45)), (40, 110, 50), -1)
        cv2.rectangle(img, (0, int(0.46 * h)), (w, h), (85, 85, 85), -1)  # asphalt
        for _top, bottom in LANES[:-1]:  # lane markings between lanes
            y = int((bottom + 0.015) * h)
            for mx in range(0, w, 80):
                cv2.rectangle(img, (mx, y - 2), (mx + 40, y + 2), (235, 235, 235), -1)
        noise = rng.normal(0, 4, img.shape)
        self.backdrop = np.clip(img + noise, 0, 255).astype(np.uint8)
        # Car paints that stand out from asphalt in grey (white, black, red, silver, yellow, blue).
        paints = np.array(
            [
                (245, 245, 245),
                (25, 25, 25),
                (40, 40, 200),
                (200, 200, 200),
                (40, 210, 230),
                (160, 60, 20),
            ]
        )
        self._colours = paints[rng.integers(0, len(paints), 64)]
        self._offsets = rng.uniform(0, 1, (len(LANES), 32))

    def frame(
        self, density: float, t: float = 0.0, *, speed: float = 0.07, moving: bool = True
    ) -> np.ndarray:
        """The street with vehicles filling `density` of each lane; `t` moves them by `speed`."""
        img = self.backdrop.copy()
        w, h = self.width, self.height
        car = CAR_WIDTH * w
        per_lane = int(round(density * w / (car * 1.15)))
        n = 0
        for lane, (top, bottom) in enumerate(LANES):
            slots: list[float] = (
                list(np.linspace(0, 1, per_lane, endpoint=False)) if per_lane else []
            )
            shift = (speed * t * (1 if lane % 2 == 0 else -1)) if moving else 0.0
            for k, s in enumerate(slots):
                x0 = int(
                    ((s + shift + 0.3 * self._offsets[lane, k % 32] / max(per_lane, 1)) % 1.0) * w
                )
                y0, y1 = int((top + 0.01) * h), int((bottom - 0.01) * h)
                colour = tuple(int(c) for c in self._colours[n % 64])
                n += 1
                x1 = x0 + int(car)
                cv2.rectangle(img, (x0, y0), (x1, y1), colour, -1)
                cv2.rectangle(
                    img, (x0 + 12, y0 + 8), (x1 - 12, y0 + (y1 - y0) // 2), (40, 40, 40), -1
                )
                cv2.rectangle(img, (x0, y0), (x1, y1), (20, 20, 20), 2)
        return img

    def blob_frame(self, x: float, lane: int = 1) -> np.ndarray:
        """One vehicle at `x` (0–1) on a lane: for counts across a line."""
        img = self.backdrop.copy()
        top, bottom = LANES[lane]
        w, h = self.width, self.height
        x0 = int(x * w)
        cv2.rectangle(
            img,
            (x0, int((top + 0.01) * h)),
            (x0 + int(CAR_WIDTH * w), int((bottom - 0.01) * h)),
            (240, 240, 240),
            -1,
        )
        return img


def covered(image: np.ndarray, seed: int = 0) -> np.ndarray:
    """A hand or a cap over the lens: dark, almost uniform, a faint gradient."""
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    ramp = np.linspace(6, 18, w, dtype=np.float32)[None, :, None]
    out = np.broadcast_to(ramp, (h, w, 3)) + rng.normal(0, 0.8, (h, w, 3))
    return np.clip(out, 0, 255).astype(np.uint8)


def blurred(image: np.ndarray, sigma: float = 6.0) -> np.ndarray:
    """Out of focus, or a smeared lens."""
    return cv2.GaussianBlur(image, (0, 0), sigma)


def turned(image: np.ndarray, shift: float = 0.12, degrees: float = 4.0) -> np.ndarray:
    """The camera knocked sideways: the view shifted and rotated (edges filled by reflection)."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    m[0, 2] += shift * w
    return cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REFLECT)
