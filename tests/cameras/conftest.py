"""Cameras made for a test: in the test's transaction (rolled back), away from the demo city."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.gis.geos import Point

from geo_ioc.cameras.models import Camera

MakeCamera = Callable[..., Camera]
# A spot in the hills west of the city with no building within a few hundred metres.
EMPTY_LON, EMPTY_LAT = 108.3300, 11.9000


@pytest.fixture
def make_camera(db: None) -> MakeCamera:
    """A camera with a unique code (default: in the empty spot, looking east)."""

    def make(**fields: Any) -> Camera:
        lon = fields.pop("lon", EMPTY_LON)
        lat = fields.pop("lat", EMPTY_LAT)
        defaults: dict[str, Any] = {
            "code": f"T-{uuid.uuid4().hex[:8]}",
            "name": "Camera thử nghiệm",
            "kind": Camera.Kind.TRAFFIC,
            "owner_unit": "Đội thử nghiệm",
            "heading_deg": 90,
            "fov_deg": 60,
            "range_m": 100.0,
            "stream_url": "rtsp://vms.test/secret-stream",
            "snapshot_url": "http://vms.test/secret-snapshot.jpg",
        }
        return Camera.objects.create(geom=Point(lon, lat, srid=4326), **{**defaults, **fields})

    return make
