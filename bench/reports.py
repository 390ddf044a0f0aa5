"""Citizen reports benchmark: intake with a 2 MB photo, and the duplicate lookup at scale.

1. Intake: the code behind `POST /reports` — the photo checked, decoded, scanned for faces and
   plates, blurred and re-encoded, the report routed by commune, its clocks started, its steps,
   contact and live message written in one transaction — against the limit, the same report and
   the same photo bytes written by a bare SQL INSERT (what storing "as sent" would cost).
   Prints reports/s and p95 of both, the ratio, and the photo pipeline alone as a peer.
2. Duplicate lookup (`dedupe.nearby`, "is this yours?") with 1,000,000 reports in the table
   (generated in SQL), p95 over random points, against the same query without its bounding-box
   prefilter (a spheroid distance on every candidate row) as the peer that shows the index.

Runs against its own database (created, migrated, loaded with the demo city when empty).
Usage: .venv/bin/python bench/reports.py [--intake 30] [--lookups 300] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgis://root@127.0.0.1:5432/geoioc_bench_reports"
)
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")


def cli(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "geo_ioc.cli", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": BENCH_DB},
    )


BARE_INSERT = """
INSERT INTO reports_report (code, category_id, status, source, description, address, geom,
  area_code, area_name, attributes, received_at, updated_at, overdue, answer, rejection, reason,
  synthetic)
VALUES (%s, %s, 'received', 'web', %s, '', ST_SetSRID(ST_MakePoint(%s, %s), 4326), '', '',
  '{}', now(), now(), false, '', '', '', true) RETURNING id
"""
BARE_PHOTO = """
INSERT INTO reports_photo (report_id, role, image, thumbnail, content_type, width, height,
  blurred, created_at) VALUES (%s, 'report', %s, '', 'image/jpeg', 0, 0, 0, now())
"""
NO_PREFILTER = """
SELECT r.id FROM reports_report r
WHERE r.category_id = %(category)s
  AND r.status IN ('received', 'routed', 'accepted', 'in_progress')
  AND r.received_at >= %(since)s
  AND ST_DWithin(r.geom::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,
                 %(radius)s)
ORDER BY r.id LIMIT 5
"""


def prepare() -> None:
    cli("dbinit")
    cli("migrate", "--no-input")
    import django

    django.setup()
    from layers.models import Layer

    if not Layer.objects.filter(slug="roads", feature_count__gt=0).exists():
        print("loading the demo city into the bench database …", flush=True)
        cli("demo", "load")
    cli("reports", "seed")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def photo_2mb() -> bytes:
    """A 2 MB camera-like JPEG: smooth gradients with sensor noise (seeded)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    h, w = 1536, 2048
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([(xx / w) * 200, (yy / h) * 180, ((xx + yy) / (w + h)) * 160], axis=-1)
    for quality in (97, 96, 95, 93, 90, 85):
        pixels = np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, "JPEG", quality=quality)
        if buf.tell() <= 2_100_000:
            return buf.getvalue()
    return buf.getvalue()


def intake(n: int) -> None:
    import numpy as np
    from django.db import connection, transaction

    from geo_ioc.reports import demo, photos, services
    from geo_ioc.reports.models import Category

    data = photo_2mb()
    print(f"photo: {len(data) / 1e6:.2f} MB JPEG, 2048×1536")
    points = demo.road_points(n)
    category = Category.objects.get(code="pothole")
    rng = np.random.default_rng(11)
    rng_reports = [demo.random_report(rng, p) for p in points]
    ours: list[float] = []
    bare: list[float] = []
    pipeline: list[float] = []
    for report in rng_reports:  # interleaved: a load spike hits both alike
        t = time.perf_counter()
        done = photos.process(data)
        pipeline.append(time.perf_counter() - t)
        with transaction.atomic():
            created = services.create_report(report, ip="192.0.2.1", synthetic=True)
            photos.save(created, done)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                BARE_INSERT,
                [
                    f"BI-{uuid.uuid4().hex[:12]}",
                    category.pk,
                    report.description,
                    report.lon,
                    report.lat,
                ],
            )
            (rid,) = cur.fetchone()  # type: ignore[misc]
            cur.execute(BARE_PHOTO, [rid, data])
        bare.append(time.perf_counter() - t)
    for name, times in (
        ("intake (ours)", ours),
        ("bare SQL insert", bare),
        ("photo pipeline alone", pipeline),
    ):
        print(f"{name:24s} {n / sum(times):7.2f} reports/s   p95 {p95(times) * 1000:8.1f} ms")
    print(
        f"ratio intake / bare SQL: {sum(ours) / sum(bare):.1f}× (mean), "
        f"{p95(ours) / p95(bare):.1f}× (p95); photo pipeline share "
        f"{sum(pipeline) / sum(ours):.0%}"
    )


def lookups(n: int, rows: int) -> None:
    from datetime import timedelta

    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from geo_ioc.reports import dedupe
    from geo_ioc.reports.models import Category, Report

    have = Report.objects.filter(code__startswith="BN-").count()
    if have < rows:
        print(f"generating {rows - have:,} reports in SQL …", flush=True)
        sql = (ROOT / "bench" / "reports_bulk.sql").read_text()
        with connection.cursor() as cur:
            cur.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                "(SELECT ST_Extent(geom) e FROM layer_data.admin_units WHERE level = 3) s"
            )
            xmin, ymin, xmax, ymax = cur.fetchone()  # type: ignore[misc]
            # The bench's own table: no change feed for a bulk load nobody follows.
            cur.execute("ALTER TABLE reports_report DISABLE TRIGGER USER")
            cur.execute(
                sql.replace("'BN-' || lpad(g::text", f"'BN-' || lpad((g + {have})::text"),
                {
                    "count": rows - have,
                    "categories": Category.objects.count(),
                    "xmin": xmin,
                    "ymin": ymin,
                    "xmax": xmax,
                    "ymax": ymax,
                },
            )
            cur.execute("ALTER TABLE reports_report ENABLE TRIGGER USER")
            cur.execute("ANALYZE reports_report")
    total = Report.objects.count()
    cats = list(Category.objects.all())
    rng = np.random.default_rng(3)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM reports_report WHERE code LIKE 'BN-%%' "
            "ORDER BY random() LIMIT %s",
            [n],
        )
        points = cur.fetchall()
    ours: list[float] = []
    plain: list[float] = []
    found = 0
    since = timezone.now() - timedelta(days=30)
    for lon, lat in points:
        category = cats[int(rng.integers(len(cats)))]
        t = time.perf_counter()
        found += len(dedupe.nearby(category, lon, lat))
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                NO_PREFILTER,
                {
                    "category": category.pk,
                    "since": since,
                    "lon": lon,
                    "lat": lat,
                    "radius": dedupe.RADIUS_M,
                },
            )
            cur.fetchall()
        plain.append(time.perf_counter() - t)
    print(f"duplicate lookup over {total:,} reports, {n} points, {found / n:.2f} found each:")
    print(
        f"  dedupe.nearby (bbox && + spheroid)  p95 {p95(ours) * 1000:7.2f} ms  "
        f"median {statistics.median(ours) * 1000:6.2f} ms"
    )
    print(
        f"  peer: spheroid distance only        p95 {p95(plain) * 1000:7.2f} ms  "
        f"median {statistics.median(plain) * 1000:6.2f} ms"
    )
    print(f"  ratio peer / ours (p95): {p95(plain) / p95(ours):.1f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--intake", type=int, default=30)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    prepare()
    if args.intake:
        intake(args.intake)
    lookups(args.lookups, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
