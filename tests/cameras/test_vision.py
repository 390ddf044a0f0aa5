"""Each analytic against generated scenes with a known answer: found when it should be, silent
when it should not. Pure OpenCV and numpy, no database."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from geo_ioc.cameras import synthetic
from geo_ioc.cameras.seed import COUNTING_LINE, HOME_MASKS, ROAD_REGION
from geo_ioc.cameras.vision import chain, motion, privacy
from geo_ioc.cameras.vision.geometry import polygon_mask


def warmed(scene: synthetic.Scene, frames: int = 8) -> chain.State:
    """A camera state after a few frames of light moving traffic (reference and background)."""
    state = chain.State()
    for t in range(frames):
        a = chain.analyse(scene.frame(0.15, t), state, region=ROAD_REGION)
        assert a.tamper == ""
    return state


@pytest.fixture(scope="module")
def scene() -> synthetic.Scene:
    return synthetic.Scene(seed=7)


def test_the_generator_is_reproducible() -> None:
    a = synthetic.Scene(seed=3).frame(0.5, 2.0)
    b = synthetic.Scene(seed=3).frame(0.5, 2.0)
    c = synthetic.Scene(seed=4).frame(0.5, 2.0)
    assert a.shape == (720, 1280, 3)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_clean_traffic_raises_nothing(scene: synthetic.Scene) -> None:
    state = warmed(scene)
    for t in range(8, 20):
        a = chain.analyse(scene.frame(0.15, t), state, region=ROAD_REGION)
        assert a.tamper == "" and not a.congested
        assert a.motion.occupancy is not None and a.motion.occupancy < 0.15


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (synthetic.covered, "covered"),
        (synthetic.blurred, "blurred"),
        (synthetic.turned, "moved"),
        # Turned to look at another street altogether.
        (lambda img: cv2.resize(skimage.data.astronaut()[:, :, ::-1], (1280, 720)), "scene_change"),
    ],
    ids=["covered", "blurred", "turned", "elsewhere"],
)
def test_tampering_is_found(scene: synthetic.Scene, spoil, expected: str) -> None:  # type: ignore[no-untyped-def]
    state = warmed(scene)
    a = chain.analyse(spoil(scene.frame(0.15, 9)), state, region=ROAD_REGION)
    assert a.tamper == expected
    assert 0.5 <= a.tamper_confidence <= 1.0
    # The spoilt view is not learnt: the next clean frame is clean again.
    assert chain.analyse(scene.frame(0.15, 10), state, region=ROAD_REGION).tamper == ""


def test_blur_measure_follows_the_laplacian(scene: synthetic.Scene) -> None:
    sharp = chain.analyse(scene.frame(0.15, 0), chain.State()).quality.blur
    soft = chain.analyse(synthetic.blurred(scene.frame(0.15, 0), 2.0), chain.State()).quality.blur
    grey = cv2.cvtColor(
        cv2.resize(scene.frame(0.15, 0), (640, 360), interpolation=cv2.INTER_AREA),
        cv2.COLOR_BGR2GRAY,
    )
    truth = float(cv2.Laplacian(grey, cv2.CV_32F, ksize=3)[2:-2, 2:-2].var())
    assert sharp == pytest.approx(truth, rel=0.05)
    assert soft < sharp / 4


def test_a_small_shift_is_not_a_move(scene: synthetic.Scene) -> None:
    state = warmed(scene)
    a = chain.analyse(
        synthetic.turned(scene.frame(0.15, 9), shift=0.004, degrees=0.2), state, region=ROAD_REGION
    )
    assert a.tamper == ""
    assert a.shift is not None and a.shift.translation_px is not None and a.shift.translation_px < 8


def test_a_queue_is_congestion_and_dense_moving_traffic_is_not(scene: synthetic.Scene) -> None:
    state = warmed(scene)
    for t in range(8, 12):
        a = chain.analyse(scene.frame(0.6, t, speed=0.09), state, region=ROAD_REGION)
        assert not a.congested, "dense but moving traffic is no queue"
        assert a.motion.moving is not None and a.motion.moving > a.motion.stopped  # type: ignore[operator]
    verdicts = []
    for _ in range(4):
        a = chain.analyse(scene.frame(0.85, 0, moving=False), state, region=ROAD_REGION)
        verdicts.append(a.congested)
    assert a.motion.stopped is not None and a.motion.stopped > chain.CONGESTED_STOPPED
    # The first queued frame still differs from the last moving one; two stopped frames decide.
    assert verdicts == [False, False, True, True]
    assert a.congestion_confidence > 0.5
    for t in range(20, 24):
        a = chain.analyse(scene.frame(0.15, t), state, region=ROAD_REGION)
    assert not a.congested


def test_vehicles_are_counted_across_a_line(scene: synthetic.Scene) -> None:
    state = motion.MotionState()
    region = polygon_mask([ROAD_REGION], 320, 180)
    small = lambda img: cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (320, 180))  # noqa: E731
    for _ in range(motion.WARM_UP):
        motion.update(small(scene.backdrop), region, state, [COUNTING_LINE])
    counts: dict[str, int] = {}
    for x in np.arange(0.2, 0.75, 0.04):  # one car driving left to right across the middle
        for key, n in motion.update(
            small(scene.blob_frame(float(x))), region, state, [COUNTING_LINE]
        ).counts.items():
            counts[key] = counts.get(key, 0) + n
    assert counts == {"giua:ab": 1} or counts == {"giua:ba": 1}
    back: dict[str, int] = {}
    for x in np.arange(0.75, 0.2, -0.04):  # …and back: the other direction
        for key, n in motion.update(
            small(scene.blob_frame(float(x))), region, state, [COUNTING_LINE]
        ).counts.items():
            back[key] = back.get(key, 0) + n
    assert len(back) == 1 and set(back) != set(counts) and sum(back.values()) == 1


def test_state_survives_a_round_trip(scene: synthetic.Scene) -> None:
    state = warmed(scene)
    again = chain.loads(chain.dumps(state))
    a = chain.analyse(synthetic.covered(scene.frame(0.15, 9)), again, region=ROAD_REGION)
    assert a.tamper == "covered"
    b = chain.analyse(scene.frame(0.15, 9), chain.loads(chain.dumps(state)), region=ROAD_REGION)
    assert b.tamper == "" and b.motion.occupancy is not None


def test_masks_are_black_and_faces_blurred() -> None:
    street = synthetic.Scene(seed=1).frame(0.3, 0)
    face = skimage.data.astronaut()[:, :, ::-1]  # RGB → BGR; a real photo with a face
    street[150:662, 700:1212] = face
    assert privacy.mask_frame(street, [], detect=True).faces >= 1
    masked = privacy.mask_frame(street, HOME_MASKS)
    top_left = masked.image[: int(0.3 * 720) - 2, : int(0.3 * 1280) - 2]
    assert top_left.max() == 0
    assert masked.faces >= 1
    # Nothing left for the detector to find, and the face's pixels changed.
    assert privacy.mask_frame(masked.image, [], detect=True).faces == 0
    assert np.abs(masked.image[150:662, 700:1212].astype(int) - face.astype(int)).mean() > 5
    # Outside masks and faces, the scene is untouched.
    assert np.array_equal(masked.image[600:, :300], street[600:, :300])
