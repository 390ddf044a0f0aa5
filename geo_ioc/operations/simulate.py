"""What simulated incidents look like: types and their weights, Vietnamese descriptions.

Shared by `geo-ioc incidents simulate` and the demo's seeded incidents, so both read alike.
"""

from __future__ import annotations

INCIDENT_TYPES = [
    "traffic_accident",
    "congestion",
    "flooding",
    "fire",
    "public_order",
    "infrastructure_failure",
    "environmental",
    "other",
]
INCIDENT_TYPE_WEIGHTS = [0.26, 0.24, 0.10, 0.05, 0.10, 0.12, 0.06, 0.07]
INCIDENT_DESCRIPTIONS = {
    "traffic_accident": "Va chạm giữa xe máy và ô tô trên {road}",
    "congestion": "Ùn tắc giao thông kéo dài trên {road}",
    "flooding": "Ngập úng cục bộ sau mưa lớn trên {road}",
    "fire": "Cháy nhà dân gần {road}, đã báo lực lượng PCCC",
    "public_order": "Tụ tập gây mất trật tự công cộng trên {road}",
    "infrastructure_failure": "Đèn tín hiệu giao thông hỏng trên {road}",
    "environmental": "Đổ trộm rác thải ven {road}",
    "other": "Người dân phản ánh sự việc trên {road}",
}
# Road names that already say what they are ("Quốc lộ 20", "Đèo Prenn").
_ROAD_WORDS = ("đường", "quốc lộ", "tỉnh lộ", "đèo", "dốc", "hẻm", "cao tốc")


def street(name: object) -> str:
    """A road name as Vietnamese prose: "đường Yersin", "Quốc lộ 20", "tuyến đường không tên"."""
    if not isinstance(name, str) or not name:
        return "tuyến đường không tên"
    return name if name.lower().startswith(_ROAD_WORDS) else f"đường {name}"
