"""Camera analytics benchmark: frames per second per core at 1280×720 against OpenCV's own calls.

Per analytic and for the whole chain, against OpenCV's own primitive calls in a loop (the limit),
and the frames per second a pool of worker processes sustains against what 60 cameras at one
frame per 5 s need.

Frames come from the synthetic scene generator (a street with traffic, a face pasted in for the
privacy step). OpenCV is held to one thread (`cv2.setNumThreads(1)`) so a figure is per core.
Each analytic is timed as the app runs it (`geo_ioc.cameras.vision`) and as the bare sequence of
OpenCV calls it is built on; the ratio app / primitives says what our Python around them costs.
No database: storage is a few rows per frame and is measured by the job tests, not here.
Faces and plates are looked for only in the frames a worker keeps (`frames.process`): a camera's
snapshot every `--snapshot` seconds, a new reference view, an event's evidence; "chain, kept" is
such a frame, "chain, 1/N kept" the mix a camera sends, which the worker pool runs.
Usage:
    .venv/bin/python bench/cameras.py [--frames 40] [--workers N] [--cameras 60] [--every 5]
                                      [--snapshot 30] [--seconds 10]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from geo_ioc.cameras import synthetic  # noqa: E402
from geo_ioc.cameras.seed import COUNTING_LINE, HOME_MASKS, ROAD_REGION  # noqa: E402
from geo_ioc.cameras.vision import chain, displacement, motion, privacy, quality  # noqa: E402
from geo_ioc.cameras.vision.geometry import polygon_mask, region_mask  # noqa: E402


def frames(n: int) -> list[np.ndarray]:
    """`n` street frames with moving traffic and a real face (scikit-image's photo, if present)."""
    scene = synthetic.Scene(seed=1)
    out = [scene.frame(0.3, t) for t in range(n)]
    try:
        import skimage.data

        portrait = skimage.data.astronaut()[:, :, ::-1]
        for img in out:
            img[200:712, 760:1272] = portrait
    except ImportError:
        pass
    return out


def decode(jpeg: np.ndarray) -> np.ndarray:
    """A BGR frame from JPEG bytes."""
    img = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    assert img is not None
    return img


def rate(fn: Callable[[np.ndarray], object], images: list[np.ndarray], repeat: int = 2) -> float:
    """Frames per second of `fn` over the images (best of `repeat` passes)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for img in images:
            fn(img)
        best = min(best, time.perf_counter() - started)
    return len(images) / best


# --- the app's steps ---------------------------------------------------------------------------


def app_privacy(img: np.ndarray) -> object:
    return privacy.mask_frame(img, HOME_MASKS)


def app_quality(img: np.ndarray) -> object:
    grey = chain._resize(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), chain.WORK_WIDTH)
    h, w = grey.shape
    return quality.measure(grey, region_mask((), HOME_MASKS, w, h))


class AppDisplacement:
    """The app's displacement check against a fixed reference view."""

    def __init__(self, reference: np.ndarray) -> None:
        grey = chain._resize(cv2.cvtColor(reference, cv2.COLOR_BGR2GRAY), chain.WORK_WIDTH)
        self.valid = region_mask((), HOME_MASKS, grey.shape[1], grey.shape[0])
        self.ref = displacement.features(grey, self.valid)

    def __call__(self, img: np.ndarray) -> object:  # noqa: D102
        grey = chain._resize(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), chain.WORK_WIDTH)
        return displacement.compare(self.ref, displacement.features(grey, self.valid))


class AppMotion:
    """The app's motion step, warmed on a few frames."""

    def __init__(self, warm: list[np.ndarray]) -> None:
        self.state = motion.MotionState()
        self.region = region_mask(ROAD_REGION, HOME_MASKS, chain.MOTION_WIDTH, 180)
        for img in warm:
            self(img)

    def __call__(self, img: np.ndarray) -> object:  # noqa: D102
        small = chain._resize(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), chain.MOTION_WIDTH)
        return motion.update(small, self.region, self.state, [COUNTING_LINE])


class AppChain:
    """What a worker does per frame of one camera, storage aside, deciding as `frames.process`.

    Decode, black out the masks, look for faces and plates only in a kept frame (a snapshot due
    every `keep_every` frames, a new reference view, an event's evidence), analyse, keep the
    state (the motion images apart), encode what is kept. `keep_every=1`: every frame kept.
    """

    def __init__(self, keep_every: int = 1, phase: int = 0) -> None:
        self.keep_every = keep_every
        self.stored, self.motion = b"", b""
        self.n = phase  # cameras' snapshots fall due at different times

    def __call__(self, jpeg: np.ndarray) -> object:  # noqa: D102
        img = decode(jpeg)
        state = chain.loads(self.stored)
        split = self.keep_every > 1
        if split:
            chain.loads_motion(state, self.motion)
        keep = not split or self.n % self.keep_every == 0 or chain.wants_reference(state)
        masked = privacy.mask_frame(img, HOME_MASKS, detect=keep)
        a = chain.analyse(
            masked.image,
            state,
            masks=HOME_MASKS,
            region=ROAD_REGION,
            lines=[COUNTING_LINE],
            hidden=keep,
        )
        if a.tamper and not keep:
            keep, masked = True, privacy.mask_frame(img, HOME_MASKS)
        self.stored = chain.dumps(state, motion=not split)
        if split:
            self.motion = chain.dumps_motion(state)
        if keep:
            cv2.imencode(".jpg", masked.image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        self.n += 1
        return a


# --- OpenCV's primitives in a loop: the limit ---------------------------------------------------

FACE = privacy.cascade("face")
PLATE = privacy.cascade("plate")
MASK_FULL = polygon_mask(HOME_MASKS, 1280, 720)


def prim_privacy(img: np.ndarray) -> object:
    out = img.copy()
    out[MASK_FULL > 0] = 0
    grey = cv2.equalizeHist(cv2.resize(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), (640, 360)))
    FACE.detectMultiScale(grey, privacy.SCALE_STEP, 4, minSize=(20, 20))
    return PLATE.detectMultiScale(grey, privacy.SCALE_STEP, 4, minSize=(20, 20))


def prim_quality(img: np.ndarray) -> object:
    grey = cv2.resize(
        cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (640, 360), interpolation=cv2.INTER_AREA
    )
    lap = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    return lap.var(), cv2.mean(grey), cv2.calcHist([grey], [0], None, [256], [0, 256])


class PrimDisplacement:
    """ORB, a brute-force Hamming matcher and a RANSAC similarity: the displacement limit."""

    def __init__(self, reference: np.ndarray) -> None:
        self.orb = cv2.ORB.create(nfeatures=displacement.FEATURES)
        grey = cv2.resize(
            cv2.cvtColor(reference, cv2.COLOR_BGR2GRAY), (640, 360), interpolation=cv2.INTER_AREA
        )
        self.kp, self.desc = self.orb.detectAndCompute(grey, None)
        self.matcher = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)

    def __call__(self, img: np.ndarray) -> object:  # noqa: D102
        grey = cv2.resize(
            cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (640, 360), interpolation=cv2.INTER_AREA
        )
        kp, desc = self.orb.detectAndCompute(grey, None)
        m = self.matcher.match(self.desc, desc)
        src = np.array([self.kp[x.queryIdx].pt for x in m], np.float32)
        dst = np.array([kp[x.trainIdx].pt for x in m], np.float32)
        return cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0)


class PrimMotion:
    """Differences, a running average and components: the motion limit."""

    def __init__(self, first: np.ndarray) -> None:
        self.bg = self.small(first).astype(np.float32)
        self.prev = self.small(first)

    @staticmethod
    def small(img: np.ndarray) -> np.ndarray:  # noqa: D102
        return cv2.GaussianBlur(
            cv2.resize(
                cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (320, 180), interpolation=cv2.INTER_AREA
            ),
            (5, 5),
            0,
        )

    def __call__(self, img: np.ndarray) -> object:  # noqa: D102
        g = self.small(img)
        fg = cv2.threshold(
            cv2.absdiff(g, cv2.convertScaleAbs(self.bg)), motion.DIFF, 255, cv2.THRESH_BINARY
        )[1]
        moving = cv2.bitwise_and(
            fg, cv2.threshold(cv2.absdiff(g, self.prev), motion.DIFF, 255, cv2.THRESH_BINARY)[1]
        )
        cv2.accumulateWeighted(g, self.bg, motion.LEARN_FREE)
        self.prev = g
        return cv2.connectedComponentsWithStats(moving)


def prim_chain(jpeg: np.ndarray, disp: PrimDisplacement, mot: PrimMotion) -> object:
    img = decode(jpeg)
    prim_privacy(img)
    prim_quality(img)
    disp(img)
    mot(img)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])


# --- workers -----------------------------------------------------------------------------------


def _worker(args: tuple[list[bytes], float, int, int]) -> float:
    """Frames per second one worker does in `seconds`, serving `cameras` warm cameras in turn."""
    cv2.setNumThreads(1)
    jpegs, seconds, cameras, keep_every = args
    steps = [AppChain(keep_every, phase=i) for i in range(cameras)]
    for i, step in enumerate(steps):  # a warm state each, as a running camera has
        for k in range(motion.WARM_UP + 1):
            step(np.frombuffer(jpegs[(i + k) % len(jpegs)], np.uint8))
    done = 0
    started = time.perf_counter()
    while time.perf_counter() < started + seconds:
        camera, k = done % cameras, done // cameras + motion.WARM_UP + 1
        steps[camera](np.frombuffer(jpegs[(camera + k) % len(jpegs)], np.uint8))
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cameras", type=int, default=60)
    parser.add_argument(
        "--every", type=float, default=5.0, help="seconds between frames of a camera"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the worker pool runs")
    parser.add_argument(
        "--snapshot",
        type=float,
        default=30.0,
        help="seconds between a camera's kept snapshots (GEO_IOC_CAMERA_SNAPSHOT_SECONDS)",
    )
    opts = parser.parse_args()
    cv2.setNumThreads(1)
    images = frames(opts.frames)
    jpegs = [cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])[1] for img in images]
    print(f"{opts.frames} frames 1280×720, OpenCV {cv2.__version__}, one thread per measure")
    print(f"{'step':<14}{'app f/s':>10}{'OpenCV f/s':>12}{'app/limit':>11}")
    rows: list[tuple[str, Callable[[np.ndarray], object], Callable[[np.ndarray], object]]] = [
        ("privacy", app_privacy, prim_privacy),
        ("quality", app_quality, prim_quality),
        ("displacement", AppDisplacement(images[0]), PrimDisplacement(images[0])),
        ("motion", AppMotion(images[:6]), PrimMotion(images[0])),
    ]
    for name, app, prim in rows:
        a, p = rate(app, images), rate(prim, images)
        print(f"{name:<14}{a:>10.1f}{p:>12.1f}{a / p:>11.2f}")
    disp, mot = PrimDisplacement(images[0]), PrimMotion(images[0])
    keep_every = max(1, math.ceil(opts.snapshot / opts.every))
    p = rate(lambda j: prim_chain(j, disp, mot), jpegs)
    for label, every in (("chain, kept", 1), (f"chain, 1/{keep_every} kept", keep_every)):
        a = rate(AppChain(every), jpegs)
        print(f"{label:<14}{a:>10.1f}{p:>12.1f}{a / p:>11.2f}")
    need = opts.cameras / opts.every
    blobs = [j.tobytes() for j in jpegs]
    share = max(1, opts.cameras // opts.workers)
    with multiprocessing.get_context("spawn").Pool(opts.workers) as pool:
        # The workers warm their cameras first (untimed), then run side by side.
        jobs = [(blobs, opts.seconds, share, keep_every)] * opts.workers
        sustained = sum(pool.map(_worker, jobs))
    print(
        f"workers: {opts.workers} processes, {share} cameras each, a snapshot kept every "
        f"{opts.snapshot:g} s: sustain {sustained:.1f} frames/s; {opts.cameras} cameras at "
        f"1 frame / {opts.every:g} s need {need:.1f} → {sustained / need:.2f}× the need"
    )


if __name__ == "__main__":
    main()
