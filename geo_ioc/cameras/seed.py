"""Plausible registry values for a demo camera, derived from its code (stable across loads)."""

from __future__ import annotations

import hashlib
from typing import Any

# Old kinds of the registry before kinds meant purpose: a fixed camera watched traffic, a PTZ
# one public order.
OLD_KINDS = {"fixed": "traffic", "ptz": "security", "anpr": "anpr"}

_OWNERS = {
    "traffic": "Phòng Cảnh sát giao thông, Công an tỉnh Lâm Đồng",
    "security": "Công an thành phố Đà Lạt",
    "anpr": "Phòng Cảnh sát giao thông, Công an tỉnh Lâm Đồng",
}
# Opening angle (°), useful range (m), mounting height (m) by kind.
_OPTICS = {"traffic": (70, 120.0, 7.0), "security": (90, 60.0, 5.0), "anpr": (30, 40.0, 6.0)}
# The road in the lower part of a frame; a counting line across it (the middle of the view);
# for security cameras a mask over the upper corners, where windows of homes usually are.
ROAD_REGION = [[0.05, 0.4], [0.95, 0.4], [1.0, 1.0], [0.0, 1.0]]
COUNTING_LINE = {"name": "giua", "a": [0.5, 0.42], "b": [0.5, 1.0]}
HOME_MASKS = [
    [[0.0, 0.0], [0.3, 0.0], [0.3, 0.3], [0.0, 0.3]],
    [[0.7, 0.0], [1.0, 0.0], [1.0, 0.3], [0.7, 0.3]],
]


def registry_values(code: str, kind: str) -> dict[str, Any]:
    """Owner, optics, URLs, masks and analysis geometry for a demo camera of this kind."""
    digest = hashlib.sha256(code.encode()).digest()
    fov, range_m, height = _OPTICS.get(kind, _OPTICS["traffic"])
    slug = code.lower()
    return {
        "owner_unit": _OWNERS.get(kind, _OWNERS["traffic"]),
        "fov_deg": fov + (digest[0] % 3 - 1) * 10,
        "range_m": range_m + (digest[1] % 5) * 10.0,
        "mount_height_m": height + (digest[2] % 3) * 0.5,
        "stream_url": f"rtsp://vms.dalat.local:554/live/{slug}",
        "snapshot_url": f"http://vms.dalat.local/snapshot/{slug}.jpg",
        "privacy_masks": HOME_MASKS if kind == "security" else [],
        "analysis_region": ROAD_REGION,
        "counting_lines": [COUNTING_LINE] if kind != "security" else [],
    }
