"""Click-to-identify latency: the land API's query on the demo parcels and on 1,000,000 parcels.

Prints p50/p95 of three paths per data set, next to the bare SQL query as the limit:
`bare SQL` (the index lookup alone, one round trip), `parcels_at()` (the real query function:
candidate distances in VN-2000, GeoJSON, Python features) and `HTTP view` (the whole Django view
in process: parsing, layer access, province check, JSON), with `/healthz` (one `SELECT 1`
through the same Django stack) as the floor of any view. The goal of a catalogue-backed view is
within 3× of `/healthz` plus its query: the last column prints view p50 / (healthz p50 + bare
p50), and the same for p95. The million parcels are a seeded grid of ~20 m lots over Đà Lạt in
the schema `bench_land` (kept between runs; --rebuild remakes it; --side 300 makes 90,000).

    DEBUG=1 .venv/bin/python bench/parcels.py [--clicks 2000] [--side 1000] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from geo_ioc.land.queries import parcels_at  # noqa: E402

SCHEMA = "bench_land"
SIDE = 1000  # SIDE × SIDE lots
LOT_M = 20.0
CENTRE = (108.4400, 11.9400)
BARE = (
    "SELECT id FROM land_parcel WHERE ST_DWithin(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s)"
)
Point = tuple[float, float]


def _exec(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def build_million(rebuild: bool) -> float:
    """The SIDE × SIDE lot grid in `bench_land.land_parcel` (the real one's columns, indexes)."""
    have = _exec(
        "SELECT to_regclass(%s) IS NOT NULL AND (SELECT reltuples FROM pg_class"
        " WHERE oid = to_regclass(%s)) BETWEEN %s AND %s",
        [f"{SCHEMA}.land_parcel", f"{SCHEMA}.land_parcel", SIDE * SIDE * 0.99, SIDE * SIDE * 1.01],
    )
    if have and have[0][0] and not rebuild:
        return 0.0
    started = time.perf_counter()
    dx = LOT_M / (111_320.0 * np.cos(np.radians(CENTRE[1])))
    dy = LOT_M / 111_320.0
    x0, y0 = CENTRE[0] - dx * SIDE / 2, CENTRE[1] - dy * SIDE / 2
    _exec(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    _exec(f"CREATE SCHEMA {SCHEMA}")
    _exec(
        f"CREATE TABLE {SCHEMA}.land_parcel (LIKE public.land_parcel INCLUDING DEFAULTS"
        " INCLUDING GENERATED INCLUDING CONSTRAINTS)"
    )
    # Lots 0.5 m apart on each side (streets are wider in reality; this is the worst case for
    # a click with tolerance: many near neighbours), land-use codes drawn from the demo's mix.
    _exec(
        f"""INSERT INTO {SCHEMA}.land_parcel (id, ward_code, sheet, number, land_use,
                land_use_vi, land_use_en, legal_area_m2, area_m2, address, holder_name,
                certificate_no, planned_use, plan_conflict, conflict_share, synthetic, geom)
            SELECT i * %(side)s + j + 1, 'B.' || lpad((i / 100)::text, 2, '0'),
                   (j / 50) + 1, (i %% 100) * 50 + (j %% 50) + 1,
                   (ARRAY['ODT','ODT','ODT','BHK','CLN','TMD'])[1 + (i * 7 + j * 13) %% 6],
                   '', '', 400, 400, '', '', '', '', false, 0, true,
                   ST_Multi(ST_MakeEnvelope(%(x0)s + j * %(dx)s, %(y0)s + i * %(dy)s,
                       %(x0)s + (j + 0.975) * %(dx)s, %(y0)s + (i + 0.975) * %(dy)s, 4326))
            FROM generate_series(0, %(side)s - 1) i, generate_series(0, %(side)s - 1) j""",
        {"side": SIDE, "x0": x0, "y0": y0, "dx": dx, "dy": dy},
    )
    _exec(f"CREATE INDEX ON {SCHEMA}.land_parcel USING gist (geom)")
    _exec(f"CREATE UNIQUE INDEX ON {SCHEMA}.land_parcel (ward_code, sheet, number)")
    _exec(f"ALTER TABLE {SCHEMA}.land_parcel ADD PRIMARY KEY (id)")
    _exec(f"VACUUM ANALYZE {SCHEMA}.land_parcel")
    return time.perf_counter() - started


def clicks(n: int, rng: np.random.Generator) -> list[Point]:
    """Click points: on the surface of random parcels (nine in ten) or anywhere in their extent."""
    rows = _exec(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM land_parcel"
        " TABLESAMPLE SYSTEM_ROWS(%s)) s",
        [n],
    )
    ext = _exec(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
        " (SELECT ST_Extent(geom) e FROM land_parcel) s"
    )[0]
    pts = [(float(x), float(y)) for x, y in rows]
    order = rng.permutation(len(pts))
    pts = [pts[i] for i in order]
    minx, miny, maxx, maxy = (float(v) for v in ext)
    for i in range(0, len(pts), 10):
        pts[i] = (float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy)))
    return pts[:n]


def timed(points: list[Point], call: Callable[[float, float], object]) -> list[float]:
    """Milliseconds per call, after a warm-up of 50 calls."""
    for lon, lat in points[:50]:
        call(lon, lat)
    out = []
    for lon, lat in points:
        t = time.perf_counter()
        call(lon, lat)
        out.append((time.perf_counter() - t) * 1000.0)
    return out


def measure(points: list[Point]) -> dict[str, list[float]]:
    """Latencies of the bare query, the query function and the in-process HTTP view."""
    deg = 1.0 / (111_320.0 * np.cos(np.radians(CENTRE[1])))
    client = Client(HTTP_HOST="localhost")

    def bare(lon: float, lat: float) -> object:
        return _exec(BARE, [lon, lat, deg])

    def view(lon: float, lat: float) -> object:
        r = client.get("/land/parcels/at", {"lon": f"{lon:.7f}", "lat": f"{lat:.7f}"})
        assert r.status_code == 200, r.content
        return r

    def floor(lon: float, lat: float) -> object:
        return client.get("/healthz")

    return {
        "bare SQL": timed(points, bare),
        "parcels_at()": timed(points, lambda lon, lat: parcels_at(lon, lat, 1.0)),
        "HTTP view": timed(points, view),
        "HTTP /healthz (floor)": timed(points, floor),
    }


# Catalogue-backed endpoints (anonymous, or as an operator for staff layers) on the demo data.
ENDPOINTS: list[tuple[str, str, dict[str, str], bool]] = [
    ("/layers", "/layers", {}, False),
    ("TileJSON", "/tiles/roads,buildings.json", {}, False),
    ("OGC items (10)", "/ogc/collections/poi_health/items", {"limit": "10"}, False),
    ("parcel lookup", "/land/parcels/lookup", {}, False),
    ("stations", "/sensors/stations", {}, False),
    ("incidents (10)", "/incidents", {"limit": "10"}, True),
    ("search", "/search", {"q": "chợ"}, False),
]


class QueryTimer:
    """Sums the time spent executing SQL (the database's share of a request)."""

    def __init__(self) -> None:
        self.ms = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any
    ) -> Any:
        """Time one statement."""
        t = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.ms += (time.perf_counter() - t) * 1000.0


def operator_token() -> str:
    """An API token of a bench operator (created once)."""
    from django.contrib.auth.models import Group, User

    from geo_ioc.core.models import ApiToken

    user, _ = User.objects.get_or_create(username="bench-operator")
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    return ApiToken.issue(user, "bench")[1]


def _timed_get(
    client: Client, url: str, params: dict[str, str], headers: dict[str, str], sql_ms: list[float]
) -> Callable[[float, float], object]:
    """A GET of the endpoint that appends its SQL time to `sql_ms`."""

    def call(a: float, b: float) -> object:
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            r = client.get(url, params, headers=headers)
        assert r.status_code == 200, (url, r.status_code, r.content[:200])
        sql_ms.append(timer.ms)
        return r

    return call


def endpoints(n: int) -> None:
    """p50/p95 of each endpoint, its SQL time, and the ratio to `/healthz` plus that SQL."""
    client = Client(HTTP_HOST="localhost")
    token = operator_token()
    parcel = _exec("SELECT ward_code, sheet, number FROM land_parcel ORDER BY id LIMIT 1")[0]
    print("\ncatalogue-backed endpoints, demo data (ms)\n")
    print(
        "| endpoint | p50 | p95 | SQL p50 | / (healthz + SQL) p50, p95 |\n|---|---:|---:|---:|---:|"
    )
    floor = [float(x) for x in timed([(0.0, 0.0)] * n, lambda a, b: client.get("/healthz"))]
    for name, url, params, staff in ENDPOINTS:
        if name == "parcel lookup":
            params = {"ward": parcel[0], "sheet": str(parcel[1]), "parcel": str(parcel[2])}
        headers = {"Authorization": f"Token {token}"} if staff else {}
        sql_ms: list[float] = []
        call = _timed_get(client, url, params, headers, sql_ms)
        ms = timed([(0.0, 0.0)] * n, call)
        sql_ms = sql_ms[-n:]
        ratio = [_pct(ms, q) / (_pct(floor, q) + _pct(sql_ms, q)) for q in (50, 95)]
        print(
            f"| {name} | {_pct(ms, 50):.2f} | {_pct(ms, 95):.2f} | {_pct(sql_ms, 50):.2f} "
            f"| {ratio[0]:.1f}×, {ratio[1]:.1f}× |"
        )


def main() -> None:
    """Build the million parcels if needed, measure both data sets and print the table."""
    global SIDE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=2000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--side", type=int, default=SIDE, help="lots per side of the grid")
    parser.add_argument("--endpoints", type=int, default=0, help="also time the endpoints N times")
    args = parser.parse_args()
    SIDE = args.side
    rng = np.random.default_rng(672)
    _exec("CREATE EXTENSION IF NOT EXISTS tsm_system_rows")
    built = build_million(args.rebuild)
    if built:
        print(f"built {SIDE * SIDE:,} parcels in {SCHEMA} in {built:.0f} s")
    results: list[tuple[str, int, dict[str, list[float]]]] = []
    grid = f"{SIDE * SIDE:,} grid" if SIDE != 1000 else "1M grid"
    for label, search_path in (("demo", "public"), (grid, f"{SCHEMA}, public")):
        _exec(f"SET search_path TO {search_path}")
        count = int(_exec("SELECT count(*) FROM land_parcel")[0][0])
        results.append((label, count, measure(clicks(args.clicks, rng))))
    _exec("SET search_path TO public")
    print(f"\nclick query latency, {args.clicks} clicks per data set (ms)\n")
    print(
        "| data | parcels | path | p50 | p95 | p95 / bare p95 | / (healthz + bare) p50, p95 |"
        "\n|---|---:|---|---:|---:|---:|---:|"
    )
    for label, count, paths in results:
        bare_p95 = float(np.percentile(paths["bare SQL"], 95))
        floor = {
            q: _pct(paths["HTTP /healthz (floor)"], q) + _pct(paths["bare SQL"], q)
            for q in (50, 95)
        }
        for path, ms in paths.items():
            p50, p95 = _pct(ms, 50), _pct(ms, 95)
            ratio = (
                f"{p50 / floor[50]:.1f}×, {p95 / floor[95]:.1f}× (goal ≤ 3×)"
                if path == "HTTP view"
                else ""
            )
            print(
                f"| {label} | {count:,} | {path} | {p50:.2f} | {p95:.2f} | {p95 / bare_p95:.1f}× "
                f"| {ratio} |"
            )
    if args.endpoints:
        endpoints(args.endpoints)


def _pct(ms: list[float], q: int) -> float:
    return statistics.median(ms) if q == 50 else float(np.percentile(ms, q))


if __name__ == "__main__":
    main()
