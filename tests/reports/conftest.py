"""Reports: the demo's categories, units and routes committed once, and an Open311 api_key."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

# Central Phường 1, Đà Lạt (inside a ward of the demo's admin units), and a point at sea.
WARD_POINT = (108.4380, 11.9430)
OUTSIDE = (109.5, 11.0)


@pytest.fixture(scope="module")
def reports_seeded(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> str:
    """The demo's categories/units/routes, committed (the live server sees them); an api_key.

    Per module and idempotent: a test elsewhere that flushes the database must not leave the
    next module without them.
    """
    from geo_ioc.reports.demo import seed
    from geo_ioc.reports.open311 import issue_key

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        seed()
        return issue_key("tests")


def jpeg(size: tuple[int, int] = (640, 480), seed: int = 1, **save: object) -> bytes:
    """A small JPEG of noise."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", **save)
    return buf.getvalue()
