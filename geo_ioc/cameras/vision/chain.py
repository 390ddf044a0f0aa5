"""The whole chain for one (already masked) frame: quality, tamper, motion; and its state.

Thresholds are relative to the camera's reference view where they can be (a foggy street is
soft, a night street dark): a frame is blurred when it keeps less than `BLUR_KEEP` of the
reference's sharpness, covered when its entropy or brightness collapses.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from geo_ioc.cameras.vision import displacement, motion, quality
from geo_ioc.cameras.vision.geometry import Polygon, region_mask

WORK_WIDTH = 640  # quality and features
MOTION_WIDTH = 320  # occupancy and counts
COVERED_ENTROPY = 3.0  # bits; a scene has 6–7.5, a hand or a cap 1–3
COVERED_BRIGHTNESS = 25.0
BLUR_KEEP = 0.25
MOVED_SHARE = 0.03  # of the frame width
MOVED_DEGREES = 2.0
LOST_SHARE = 0.04  # matched share below which the view is another one
SCENE_DIFF = 0.3  # share of pixels unlike the reference
CONGESTED_STOPPED, CONGESTED_OCCUPIED, CLEAR_STOPPED = 0.25, 0.3, 0.12
CONGESTED_FRAMES = 2
REFERENCE_EVERY = 60  # frames: a well-aligned clean frame becomes the reference (daylight)


@dataclass
class State:
    """What a camera's analytics carry between frames."""

    reference: np.ndarray | None = None
    ref_features: displacement.Features | None = None
    ref_blur: float = 0.0
    since_reference: int = 0
    congested_run: int = 0
    congested: bool = False
    motion: motion.MotionState = field(default_factory=motion.MotionState)
    reference_png: bytes | None = None  # the reference as stored, while it is unchanged


@dataclass(frozen=True)
class Analysis:
    """Everything measured on a frame and what it means."""

    quality: quality.Quality
    shift: displacement.Shift | None
    scene_change: float | None
    motion: motion.Motion
    tamper: str  # "", covered, blurred, moved, scene_change
    tamper_confidence: float
    congested: bool
    congestion_confidence: float


def _resize(grey: np.ndarray, width: int) -> np.ndarray:
    h, w = grey.shape[:2]
    return cv2.resize(grey, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)


def _confidence(value: float, threshold: float) -> float:
    """0.5 at the threshold, 1 at zero (for measures that fall below a threshold)."""
    return float(min(1.0, max(0.0, 0.5 + 0.5 * (threshold - value) / threshold)))


def _tamper(
    q: quality.Quality,
    state: State,
    shift: displacement.Shift | None,
    scene: float | None,
    width: int,
) -> tuple[str, float]:
    if q.entropy < COVERED_ENTROPY or q.brightness < COVERED_BRIGHTNESS:
        conf = max(
            _confidence(q.entropy, COVERED_ENTROPY), _confidence(q.brightness, COVERED_BRIGHTNESS)
        )
        return "covered", conf
    lost = shift is not None and shift.match_share < LOST_SHARE
    if lost and scene is not None and scene > SCENE_DIFF:
        # Nothing of the reference is found and most pixels differ: the camera looks elsewhere.
        return "scene_change", float(min(1.0, 0.5 + (scene - SCENE_DIFF)))
    if state.ref_blur > 0 and q.blur < BLUR_KEEP * state.ref_blur:
        return "blurred", _confidence(q.blur / state.ref_blur, BLUR_KEEP)
    if shift is None or shift.translation_px is None or shift.rotation_deg is None:
        return "", 0.0
    moved = shift.translation_px / width
    if moved > MOVED_SHARE or abs(shift.rotation_deg) > MOVED_DEGREES:
        score = max(moved / MOVED_SHARE, abs(shift.rotation_deg) / MOVED_DEGREES)
        return "moved", float(min(1.0, 0.5 + 0.1 * score) * min(1.0, 0.5 + shift.match_share))
    return "", 0.0


def _congestion(m: motion.Motion, state: State) -> float:
    if m.stopped is None or m.occupancy is None:
        return 0.0
    if m.stopped >= CONGESTED_STOPPED and m.occupancy >= CONGESTED_OCCUPIED:
        state.congested_run += 1
        if state.congested_run >= CONGESTED_FRAMES:
            state.congested = True
    elif m.stopped < CLEAR_STOPPED:
        state.congested_run = 0
        state.congested = False
    return float(min(1.0, m.stopped / (2 * CONGESTED_STOPPED))) if state.congested else 0.0


def analyse(
    frame: np.ndarray,
    state: State,
    *,
    masks: Sequence[Polygon] = (),
    region: Polygon = (),
    lines: Sequence[dict[str, Any]] = (),
    hidden: bool = True,
) -> Analysis:
    """Analyse one masked BGR frame and move the camera's state on.

    `hidden`: faces and plates are blurred in the frame too (not only the masks blacked out);
    only such a frame may become the reference view, which is stored with the state.
    """
    grey_full = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    grey = _resize(grey_full, WORK_WIDTH)
    h, w = grey.shape
    valid = region_mask((), masks, w, h)
    q = quality.measure(grey, valid)
    shift: displacement.Shift | None = None
    scene: float | None = None
    feats = displacement.features(grey, valid)
    if state.reference is not None and state.ref_features is not None:
        shift = displacement.compare(state.ref_features, feats)
        diff = cv2.absdiff(
            cv2.GaussianBlur(grey, (5, 5), 0), cv2.GaussianBlur(state.reference, (5, 5), 0)
        )
        scene = float(np.count_nonzero((diff > 40) & (valid > 0))) / max(
            1, int(np.count_nonzero(valid))
        )
    tamper, tamper_conf = _tamper(q, state, shift, scene, w)
    small = _resize(grey_full, MOTION_WIDTH)
    sh, sw = small.shape
    area = region_mask(region, masks, sw, sh)
    # A tampered view is not the street: measure nothing there and learn nothing from it.
    m = (
        motion.update(small, area, state.motion, lines)
        if not tamper
        else motion.Motion(None, None, None, {})
    )
    congestion = _congestion(m, state) if not tamper else 0.0
    state.since_reference += 1
    aligned = shift is not None and shift.translation_px is not None and tamper == ""
    if hidden and (
        state.reference is None
        and tamper == ""
        or aligned
        and state.since_reference >= REFERENCE_EVERY
    ):
        state.reference, state.ref_features, state.ref_blur = grey, feats, q.blur
        state.reference_png = None
        state.since_reference = 0
    return Analysis(
        q, shift, scene, m, tamper, tamper_conf, state.congested and not tamper, congestion
    )


def wants_reference(state: State) -> bool:
    """Whether the next clean frame would become the reference view (so must be fully masked)."""
    return state.reference is None or state.since_reference >= REFERENCE_EVERY


# --- the state as bytes (npz), kept between frames ------------------------------------------------
# `dumps(state)` is all of it. Split, `dumps(state, motion=False)` holds what may be stored (the
# scalars, blob centres and the reference view, which only a fully masked frame becomes) and
# `dumps_motion` the motion images (recent frames, background), which may come from frames whose
# faces were not looked for: those live in memory only (see `frames.py`).


def _png(state: State) -> bytes:
    """The reference view as a lossless PNG, encoded once per reference.

    Zipping the raw pixels on every frame cost more than the rest of the frame's analysis.
    """
    assert state.reference is not None
    if state.reference_png is None:
        ok, png = cv2.imencode(".png", state.reference, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if not ok:
            raise ValueError("the reference view could not be encoded")
        state.reference_png = png.tobytes()
    return state.reference_png


def dumps(state: State, *, motion: bool = True) -> bytes:
    """The state as one npz (without the motion images if not `motion`)."""
    arrays: dict[str, np.ndarray] = {
        "scalars": np.array(
            [state.ref_blur, state.since_reference, state.congested_run, int(state.congested)],
            np.float64,
        ),
        "centroids": np.array(state.motion.centroids, np.float64).reshape(-1, 2),
    }
    if state.reference is not None and state.ref_features is not None:
        arrays["reference_png"] = np.frombuffer(_png(state), np.uint8)
        arrays["ref_points"] = state.ref_features.points
        arrays["ref_desc"] = state.ref_features.descriptors
    if motion:
        arrays.update(_motion_arrays(state))
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def _motion_arrays(state: State) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    if state.motion.warm:
        arrays["warm"] = np.stack(state.motion.warm)
    if state.motion.background is not None:
        arrays["background"] = state.motion.background.astype(np.float16)
    if state.motion.previous is not None:
        arrays["previous"] = state.motion.previous
    return arrays


def dumps_motion(state: State) -> bytes:
    """The motion images alone, uncompressed (they stay in memory: speed over size)."""
    buf = io.BytesIO()
    np.savez(buf, **_motion_arrays(state))  # type: ignore[arg-type]
    return buf.getvalue()


def loads_motion(state: State, data: bytes | None) -> None:
    """Put motion images from `dumps_motion` into a state (None: start the background again)."""
    if not data:
        state.motion.warm, state.motion.background, state.motion.previous = [], None, None
        return
    _load_motion(state, np.load(io.BytesIO(data)))


def loads(data: bytes | memoryview | None) -> State:
    """A state from `dumps` (a fresh one from None)."""
    if not data:
        return State()
    z = np.load(io.BytesIO(bytes(data)))
    ref_blur, since, run, congested = z["scalars"].tolist()
    state = State(
        ref_blur=ref_blur,
        since_reference=int(since),
        congested_run=int(run),
        congested=bool(congested),
    )
    if "reference" in z or "reference_png" in z:
        if "reference_png" in z:
            state.reference_png = z["reference_png"].tobytes()
            state.reference = cv2.imdecode(z["reference_png"], cv2.IMREAD_GRAYSCALE)
        else:  # stored before the PNG
            state.reference = z["reference"]
        state.ref_features = displacement.Features(z["ref_points"], z["ref_desc"])
    _load_motion(state, z)
    state.motion.centroids = [tuple(c) for c in z["centroids"].tolist()]
    return state


def _load_motion(state: State, z: Any) -> None:
    state.motion.warm = list(z["warm"]) if "warm" in z else []
    state.motion.background = z["background"].astype(np.float32) if "background" in z else None
    state.motion.previous = z.get("previous", None)
