"""The demo's reports: categories, units and routing, and synthetic reports on real streets.

Categories, units and routes come from `demo.yaml`; the synthetic reports cover the last 90
days with plausible steps and answer times, and are marked synthetic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from geo_ioc.reports import services
from geo_ioc.reports.models import Category, Report, Route, Step, Unit
from geo_ioc.reports.schemas import ReportIn

DEMO_FILE = Path(__file__).with_name("demo.yaml")
DESCRIPTIONS = {
    "pothole": "Mặt đường {road} có ổ gà lớn, xe máy dễ té ngã",
    "street_light": "Đèn đường trên {road} không sáng mấy đêm nay",
    "traffic_signal": "Đèn tín hiệu giao thông tại {road} bị tắt",
    "rubbish": "Rác thải tồn đọng nhiều ngày trên {road}",
    "illegal_dumping": "Có người đổ trộm xà bần ven {road}",
    "drain": "Hố ga trên {road} bị mất nắp, rất nguy hiểm",
    "flooding": "Mưa lớn gây ngập trên {road}, nước không thoát được",
    "water_leak": "Ống nước bị vỡ trên {road}, nước chảy tràn",
    "tree": "Cây thông nghiêng sắp đổ trên {road}",
    "pavement": "Quán lấn chiếm vỉa hè trên {road}, người đi bộ phải xuống lòng đường",
    "construction": "Công trình xây dựng không phép trên {road}",
    "noise": "Karaoke gây ồn sau 22 giờ trên {road}",
    "public_order": "Nhóm thanh niên tụ tập gây mất trật tự trên {road}",
    "air_pollution": "Đốt rác gây khói trên {road}",
    "other": "Người dân phản ánh sự việc trên {road}",
}
WEIGHTS = {
    "pothole": 14,
    "street_light": 12,
    "rubbish": 14,
    "pavement": 10,
    "drain": 7,
    "flooding": 5,
    "noise": 7,
    "illegal_dumping": 6,
    "tree": 5,
    "water_leak": 4,
    "public_order": 4,
    "construction": 4,
    "traffic_signal": 3,
    "air_pollution": 3,
    "other": 2,
}
# Random points on named roads inside the routing level's areas (within the wards).
ROAD_POINTS = """
WITH segments AS (
  SELECT r.geom, r.name, row_number() OVER (ORDER BY r.id) AS i
  FROM {roads} r JOIN {areas} a ON ST_Intersects(r.geom, a.geom) AND a.level::int = %s
  WHERE r.name IS NOT NULL AND r.name <> ''),
picks AS (
  SELECT 1 + floor(random() * (SELECT count(*) FROM segments))::int AS i
  FROM generate_series(1, %s))
SELECT ST_X(p), ST_Y(p), name FROM (
  SELECT ST_LineInterpolatePoint(ST_GeometryN(s.geom, 1), random()) AS p, s.name
  FROM picks JOIN segments s USING (i)) pts
"""


def seed() -> dict[str, int]:
    """Upsert the demo's units, categories and routes (per ward of the area layer)."""
    data: dict[str, Any] = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    units: dict[str, Unit] = {}
    for u in data["units"]:
        units[u["code"]], _ = Unit.objects.update_or_create(
            code=u["code"], defaults={"name": u["name"], "parent": units.get(u.get("parent", ""))}
        )
    areas = _areas()
    for code, name in areas:
        units[f"UBND-{code}"], _ = Unit.objects.update_or_create(
            code=f"UBND-{code}",
            defaults={"name": f"UBND {name}", "parent": units[data["ward_parent"]]},
        )
    routes = 0
    for i, c in enumerate(data["categories"]):
        category, _ = Category.objects.update_or_create(
            code=c["code"],
            defaults={
                "name_vi": c["vi"],
                "name_en": c["en"],
                "group": c["group"],
                "keywords": c.get("keywords", ""),
                "resolve_days": c["days"],
                "answer_hours": c.get("answer_hours", 8),
                "attributes": c.get("attributes", []),
                "default_unit": units["UBND-TINH"],
                "sort_order": i,
                "description": f"{c['vi']} / {c['en']}",
            },
        )
        for code, _name in areas:
            unit = units[f"UBND-{code}"] if c["by"] == "ward" else units[c["by"]]
            Route.objects.update_or_create(
                category=category, area_code=code, defaults={"unit": unit}
            )
            routes += 1
    from geo_ioc.reports.stats import rebuild_areas

    return {
        "units": len(units),
        "categories": len(data["categories"]),
        "routes": routes,
        "areas": rebuild_areas(),
    }


def _relation(slug: str) -> sql.Composable:
    return sql.Identifier(settings.GEO_IOC_LAYER_SCHEMA, slug)


def _areas() -> list[tuple[str, str]]:
    level = settings.GEO_IOC_REPORTS_AREA_LEVELS[0]
    query = sql.SQL("SELECT code::text, name::text FROM {} WHERE level::int = %s ORDER BY code")
    with connection.cursor() as cur:
        cur.execute(
            query.format(_relation(settings.GEO_IOC_REPORTS_AREA_LAYER)).as_string(cur.connection),
            [level],
        )
        return [(str(a), str(b)) for a, b in cur.fetchall()]


def road_points(n: int) -> list[tuple[float, float, str]]:
    """`n` random points on named roads of the wards."""
    query = sql.SQL(ROAD_POINTS).format(
        roads=_relation("roads"), areas=_relation(settings.GEO_IOC_REPORTS_AREA_LAYER)
    )
    level = settings.GEO_IOC_REPORTS_AREA_LEVELS[0]
    with connection.cursor() as cur:
        cur.execute(query.as_string(cur.connection), [level, n])
        return [(float(x), float(y), str(name)) for x, y, name in cur.fetchall()]


def random_report(rng: np.random.Generator, point: tuple[float, float, str]) -> ReportIn:
    """A plausible report at a road point."""
    codes = list(WEIGHTS)
    weights = np.array([WEIGHTS[c] for c in codes], dtype=float)
    code = str(rng.choice(codes, p=weights / weights.sum()))
    lon, lat, road = point
    from geo_ioc.operations.simulate import street

    return ReportIn(
        category=code,
        lon=lon,
        lat=lat,
        address=road,
        description=DESCRIPTIONS[code].format(road=street(road)),
        source=Report.Source(str(rng.choice(["web", "hotline"], p=[0.7, 0.3]))),
    )


def _history(report: Report, rng: np.random.Generator, now: datetime) -> None:
    """Walk a past report along the workflow with realistic delays (hours)."""
    t = report.received_at
    plan = [
        ("accept", rng.gamma(2.0, 2.5)),
        ("start", rng.gamma(2.0, 6.0)),
        ("resolve", rng.gamma(2.5, 18.0)),
        ("close", rng.gamma(2.0, 24.0)),
    ]
    if rng.random() < 0.05:
        plan = [("reject", rng.gamma(2.0, 3.0))]
    notes = {
        "resolve": "Đơn vị đã xử lý xong, hiện trường đã được khắc phục.",
        "reject": "Nội dung không thuộc thẩm quyền giải quyết của tỉnh.",
    }
    for action, hours in plan:
        t = t + timedelta(hours=float(hours))
        if t > now:
            break
        report.status = {
            "accept": "accepted",
            "start": "in_progress",
            "resolve": "resolved",
            "close": "closed",
            "reject": "rejected",
        }[action]
        if report.answered_at is None:
            report.answered_at = t
        if action == "resolve":
            report.resolved_at, report.answer = t, notes["resolve"]
        if action == "close":
            report.closed_at = t
        if action == "reject":
            report.rejection, report.reason = "not_responsible", notes["reject"]
        Step.objects.create(
            report=report,
            at=t,
            action=action,
            status=report.status,
            note=notes.get(action, ""),
            unit=report.unit,
            actor_name="demo",
        )
    report.save()


def synthesize(count: int, days: int = 90, seed_value: int = 17) -> int:
    """`count` synthetic reports over the last `days`, received through the intake service."""
    rng = np.random.default_rng(seed_value)
    now = timezone.now()
    points = road_points(count)
    made = 0
    with transaction.atomic():
        Report.objects.filter(synthetic=True).delete()
        for point in points:
            received = now - timedelta(seconds=float(rng.uniform(0, days * 86400)))
            report = services.create_report(
                random_report(rng, point), received_at=received, synthetic=True
            )
            _history(report, rng, now)
            made += 1
    from geo_ioc.reports.rules import mark

    with transaction.atomic():
        mark()
    return made
