"""Land-use codes of the Vietnamese land law and when a current use agrees with a planned one.

Codes follow the cadastral classification (Luật Đất đai 2024, Thông tư 08/2024/TT-BTNMT).
"""

from __future__ import annotations

from enum import StrEnum


class Group(StrEnum):
    """Broad land categories; a use agrees with a plan of the same category."""

    BUILT = "built"  # residential, public, commercial, production, infrastructure
    AGRICULTURE = "agriculture"
    FOREST = "forest"
    WATER = "water"
    UNUSED = "unused"


# code: (Vietnamese name, English name, group)
CODES: dict[str, tuple[str, str, Group]] = {
    "ODT": ("Đất ở tại đô thị", "Urban residential", Group.BUILT),
    "ONT": ("Đất ở tại nông thôn", "Rural residential", Group.BUILT),
    "TMD": ("Đất thương mại, dịch vụ", "Commercial and services", Group.BUILT),
    "SKC": ("Đất cơ sở sản xuất phi nông nghiệp", "Non-agricultural production", Group.BUILT),
    "TSC": ("Đất xây dựng trụ sở cơ quan", "Government offices", Group.BUILT),
    "DGD": ("Đất xây dựng cơ sở giáo dục và đào tạo", "Education", Group.BUILT),
    "DYT": ("Đất xây dựng cơ sở y tế", "Health", Group.BUILT),
    "DTT": ("Đất xây dựng cơ sở thể dục thể thao", "Sports", Group.BUILT),
    "TON": ("Đất tôn giáo", "Religious", Group.BUILT),
    "DDT": ("Đất có di tích lịch sử - văn hóa", "Heritage site", Group.BUILT),
    "DKV": ("Đất khu vui chơi, giải trí công cộng", "Parks and recreation", Group.BUILT),
    "DGT": ("Đất giao thông", "Transport", Group.BUILT),
    "DTL": ("Đất thủy lợi", "Irrigation", Group.BUILT),
    "LUC": ("Đất chuyên trồng lúa", "Paddy (two or more crops)", Group.AGRICULTURE),
    "LUK": ("Đất trồng lúa còn lại", "Other paddy", Group.AGRICULTURE),
    "HNK": ("Đất trồng cây hàng năm khác", "Other annual crops", Group.AGRICULTURE),
    "BHK": ("Đất bằng trồng cây hàng năm khác", "Annual crops on flat land", Group.AGRICULTURE),
    "CLN": ("Đất trồng cây lâu năm", "Perennial crops", Group.AGRICULTURE),
    "NTS": ("Đất nuôi trồng thủy sản", "Aquaculture", Group.AGRICULTURE),
    "RSX": ("Đất rừng sản xuất", "Production forest", Group.FOREST),
    "RPH": ("Đất rừng phòng hộ", "Protection forest", Group.FOREST),
    "SON": ("Đất sông, ngòi, kênh, rạch, suối", "Rivers and streams", Group.WATER),
    "MNC": ("Đất có mặt nước chuyên dùng", "Lakes and reservoirs", Group.WATER),
    "CSD": ("Đất chưa sử dụng", "Unused land", Group.UNUSED),
}

# Planned uses that reserve land for one purpose: only that use (or unused land) agrees.
# A road-widening corridor (DGT) is in conflict with the houses standing in it, a planned
# park with the shops on it, a protection forest with production forest.
STRICT = frozenset({"DGT", "DTL", "DKV", "DDT", "RPH", "SON", "MNC"})


def name_vi(code: str) -> str:
    """Vietnamese name of a code."""
    return CODES[code][0]


def name_en(code: str) -> str:
    """English name of a code."""
    return CODES[code][1]


def agrees(current: str, planned: str) -> bool:
    """Whether land used as `current` agrees with a plan for `planned`."""
    if current == planned or CODES[current][2] is Group.UNUSED:
        return True
    if planned in STRICT:
        return False
    return CODES[current][2] is CODES[planned][2]


def agreeing_pairs() -> tuple[list[str], list[str]]:
    """Every (current, planned) pair that agrees, as two parallel lists for SQL `unnest`."""
    pairs = [(c, p) for c in CODES for p in CODES if agrees(c, p)]
    return [c for c, _ in pairs], [p for _, p in pairs]


# A parcel conflicts with the plan when zones it disagrees with cover at least this share of it
# (smaller overlaps are slivers of drawing, not a different plan).
CONFLICT_MIN_SHARE = 0.05
