"""Vector-tile serving against its limits and a peer, on any data, side by side and fairly.

    .venv/bin/python bench/tiles.py [--database URL] [--layers a,b,c ...] [--tiles FILE]
        [--ports GEOIOC,TIPG,NGINX] [--workers 2] [--conns 8] [--passes 3] [--scratch DIR]
        [--no-tipg] [--shared-socket]

For each layer list (`--layers`, repeatable; the demo's base map and a point layer by default)
and the same tiles (`--tiles FILE` of `z/x/y` lines; else every tile of the layers' extent at
z12 and a seeded sample at z14 and z16, written to the scratch directory for reuse):
  bare SQL     the statements geo-ioc runs (the size budget's last), over as many connections
               as geo-ioc renders on at once: workers x GEO_IOC_TILE_THREADS (the cold limit)
  geo-ioc      `geo-ioc serve --workers N`: pass 1 on an empty cache (cold), then warm passes
               (measured once a pass is all hits: each worker process has its own cache);
               and with GEO_IOC_TILE_CACHE=off, every pass cold
  tipg         from PyPI in the scratch directory, as many workers, same tiles and passes, the
               same stored EPSG:3857 column (one request per layer of a composite)
  nginx        geo-ioc's gzipped bytes as static files (the warm limit), if nginx is installed
Every server gets the same requests (`Accept-Encoding: gzip`) from the same client. Printed per
row: tiles/s, p50/p95 ms, CPU ms per tile of the server processes and of the PostgreSQL
backends; per zoom: the largest and mean tile in bytes (plain and as served); per pass, how
the server's CPU spread over its worker processes (how evenly connections landed). Nothing is
installed system-wide and nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")
os.environ.setdefault("DEBUG", "1")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--layers", action="append", help="a layer list, e.g. roads,buildings")
    parser.add_argument("--tiles", type=Path, help="file of z/x/y lines")
    parser.add_argument("--ports", help="geo-ioc,tipg,nginx ports (default: free ones)")
    parser.add_argument("--workers", type=int, default=2, help="server processes of every peer")
    parser.add_argument("--conns", type=int, default=8, help="client connections")
    parser.add_argument("--passes", type=int, default=3, help="passes over the tiles per peer")
    parser.add_argument("--scratch", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--zooms", default="12,14,16", help="zooms of a generated tile list")
    parser.add_argument("--sample", type=int, default=100, help="tiles per zoom above the first")
    parser.add_argument("--no-tipg", action="store_true")
    parser.add_argument(
        "--shared-socket",
        action="store_true",
        help="geo-ioc's workers share one socket (uvicorn's way) instead of SO_REUSEPORT each",
    )
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    if not args.database:
        parser.error("give --database or set DATABASE_URL")
    os.environ["DATABASE_URL"] = args.database
    return args


ARGS = _args()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402

from bench import tile_peers as peers  # noqa: E402
from geo_ioc.core.db import conninfo  # noqa: E402
from tiles import queries  # noqa: E402
from tiles.bodies import gzip_bytes  # noqa: E402
from tiles.seeding import tiles_over, union_extent  # noqa: E402
from tiles.tms import Tile  # noqa: E402

# Unmeasured passes at most, after the cold one, until every worker holds every tile.
FILL_PASSES = 12
DEMO_SETS = ["land_use,roads,buildings,heritage_buildings,admin_units", "poi_tourism"]


@dataclass
class Row:
    """One peer's result over its passes."""

    name: str
    tiles_per_s: float
    p50: float
    p95: float
    server_ms: float
    db_ms: float
    served: dict[int, list[int]]  # bytes as served per zoom


def tile_list(slugs: list[str]) -> list[Tile]:
    """Every tile of the extent at the first zoom, a seeded sample at the others, shuffled."""
    entries = queries.resolve_layers(AnonymousUser(), slugs)
    extent = union_extent(entries)
    assert extent is not None, "the layers are empty"
    zooms = [int(z) for z in ARGS.zooms.split(",")]
    rng = random.Random(ARGS.seed)
    tiles = list(tiles_over(extent, range(zooms[0], zooms[0] + 1)))
    for z in zooms[1:]:
        every = list(tiles_over(extent, range(z, z + 1)))
        tiles += rng.sample(every, min(len(every), ARGS.sample))
    rng.shuffle(tiles)  # no peer gets the heaviest tiles at the head of the list
    return tiles


def read_tiles(path: Path) -> list[Tile]:
    """`z/x/y` per line."""
    out = []
    for line in path.read_text().split():
        z, x, y = (int(v) for v in line.strip("/").split("/")[-3:])
        out.append(Tile(z, x, y))
    return out


def bare_sql(slugs: list[str], tiles: list[Tile]) -> tuple[Row, dict[Tile, bytes]]:
    """geo-ioc's statements, each tile's final one, over as many connections as geo-ioc uses."""
    from psycopg_pool import ConnectionPool

    user = AnonymousUser()
    entries = queries.resolve_layers(user, slugs)
    # The statement each tile is served with: the size budget's last one (this first render
    # also warms PostgreSQL's buffers for every peer alike).
    squeezes = {t: queries.render_budgeted(user, entries, t)[1] for t in tiles}
    statements = {t: queries.statement_for(user, entries, t, squeezes[t]) for t in tiles}
    squeezed = sum(1 for v in squeezes.values() if v)
    if squeezed:
        print(f"  {squeezed} tiles over the cap with the layers' rules: reduced by the budget")
    connection.close()
    bodies: dict[Tile, bytes] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    meter = peers.CpuMeter(conninfo())
    seconds = 0.0
    # As many statements at once as geo-ioc runs: its workers times their tile threads (on a
    # shared machine more processes also get more of the CPU, so fewer would not be fair).
    size = ARGS.workers * settings.GEO_IOC_TILE_THREADS
    with ConnectionPool(
        conninfo(), min_size=size, max_size=size, kwargs={"options": "-c jit=off"}
    ) as pool:
        pool.wait()
        for _ in range(ARGS.passes):
            work = iter(tiles)

            def worker(work: Iterator[Tile] = work) -> None:
                while True:
                    with lock:
                        tile = next(work, None)
                    if tile is None:
                        return
                    stmt = statements[tile]
                    t0 = time.perf_counter()
                    body = b""
                    if stmt is not None:
                        with pool.connection() as conn:
                            row = conn.execute(stmt[0], stmt[1]).fetchone()
                            body = bytes(row[0]) if row and row[0] else b""
                    with lock:
                        latencies.append(time.perf_counter() - t0)
                        bodies[tile] = body

            meter.start()
            start = time.perf_counter()
            threads = [threading.Thread(target=worker) for _ in range(ARGS.conns)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds += time.perf_counter() - start
            _, db = meter.stop()
    n = len(tiles) * ARGS.passes
    latencies.sort()
    row = Row(
        "bare SQL",
        n / seconds,
        _pct(latencies, 0.5),
        _pct(latencies, 0.95),
        0.0,
        db * 1000 / len(tiles),
        {},
    )
    return row, bodies


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


def measure(
    name: str,
    base: str,
    pid: int,
    paths: list[list[str]],
    zooms: list[int],
    passes: range,
    warm: list[str],
    fill: bool = False,
) -> list[Row]:
    """Each pass over the tiles (a tile is one path, or one per layer for tipg) as a row.

    With `fill` (a server whose cache is per worker process) the passes after the first are
    measured once every worker holds every tile: unmeasured passes until one is all hits
    (`X-Tile-Cache`) twice in a row, since a tile is rendered once per worker asked for it.
    """
    flat = [p for group in paths for p in group]
    owner = [i for i, group in enumerate(paths) for _ in group]
    meter = peers.CpuMeter(conninfo(), server=pid)
    # Start-up is not a tile's cost: the server answers tiles outside the list first, at each
    # listed zoom, enough for every worker and its database connections (the bare-SQL limit
    # averages its passes, so its connections' first statements count for little too).
    peers.run_pass(base, warm, ARGS.conns)
    rows = []
    for number in passes:
        if fill and number == 2:
            in_a_row = 0  # two all-hit passes: one could have landed on a single worker
            for _ in range(FILL_PASSES):
                in_a_row = in_a_row + 1 if _hits(peers.run_pass(base, flat, ARGS.conns)) >= 1 else 0
                if in_a_row == 2:
                    break
        meter.start()
        done = peers.run_pass(base, flat, ARGS.conns)
        server, db = meter.stop()
        busiest = sorted(meter.per_process.values(), reverse=True)[: ARGS.workers]
        if len(busiest) > 1 and sum(busiest) > 0:
            shares = " : ".join(f"{100 * v / sum(busiest):.0f}" for v in busiest)
            print(f"  {name} pass {number}: CPU % per worker process {shares}", flush=True)
        if fill:
            print(f"  {name} pass {number}: {100 * _hits(done):.0f} % cache hits", flush=True)
        bad = [s for s in done.statuses if s not in (200, 204)]
        if bad:
            print(f"  {name}: {len(bad)} answers not 200/204 (e.g. {bad[0]})", flush=True)
        per_tile = [0.0] * len(paths)
        sizes = [0] * len(paths)
        for i, (lat, size) in enumerate(zip(done.latencies, done.sizes, strict=True)):
            per_tile[owner[i]] = max(per_tile[owner[i]], lat)
            sizes[owner[i]] += size
        served: dict[int, list[int]] = {}
        for z, size in zip(zooms, sizes, strict=True):
            served.setdefault(z, []).append(size)
        label = f"{name} pass {number}"
        n = len(paths)
        rows.append(
            Row(
                label,
                n / done.seconds,
                _pct(per_tile, 0.5),
                _pct(per_tile, 0.95),
                server * 1000 / n,
                db * 1000 / n,
                served,
            )
        )
    return rows


def _hits(done: peers.Pass) -> float:
    """Share of the answers that came from the server's cache."""
    hits = sum(1 for h in done.headers if h.get("x-tile-cache") == "hit")
    return hits / max(1, len(done.headers))


def spare_tiles(tiles: list[Tile]) -> list[Tile]:
    """Tiles beside the listed ones and not in the list: per zoom, a few per server thread."""
    listed = set(tiles)
    per_zoom = 2 * ARGS.workers * settings.GEO_IOC_TILE_THREADS
    out: list[Tile] = []
    for z in sorted({t.z for t in tiles}):
        found: list[Tile] = []
        for t in (t for t in tiles if t.z == z):
            for dx, dy in ((1, 0), (0, 1), (-1, 0), (0, -1)):
                n = Tile(z, t.x + dx, t.y + dy)
                inside = 0 <= n.x < (1 << z) and 0 <= n.y < (1 << z)
                if inside and n not in listed and n not in found:
                    found.append(n)
            if len(found) >= per_zoom:
                break
        out += found[:per_zoom]
    return out


def by_zoom(tiles: list[Tile], bodies: dict[Tile, bytes]) -> None:
    """Largest and mean tile per zoom, plain and gzipped."""
    print(f"  {'zoom':<6}{'tiles':>6}{'max KB':>9}{'mean KB':>9}{'max gz KB':>11}{'over cap':>10}")
    cap = settings.GEO_IOC_TILE_MAX_BYTES
    for z in sorted({t.z for t in tiles}):
        sizes = [len(bodies[t]) for t in tiles if t.z == z]
        gz = [len(gzip_bytes(bodies[t])) for t in tiles if t.z == z and bodies[t]]
        over = sum(1 for s in sizes if s > cap)
        print(
            f"  z{z:<5}{len(sizes):>6}{max(sizes) / 1024:>9.1f}"
            f"{statistics.mean(sizes) / 1024:>9.1f}{max(gz or [0]) / 1024:>11.1f}{over:>10}"
        )


def report(rows: list[Row], count: int) -> None:
    """The table, then the ratios the targets name."""
    print(
        f"\n  {'':<26}{'tiles/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'srv ms/t':>10}{'pg ms/t':>9}"
        f"{'max KB':>8}"
    )
    for r in rows:
        biggest = max((max(v) for v in r.served.values()), default=0) / 1024
        print(
            f"  {r.name:<26}{r.tiles_per_s:>9.0f}{r.p50:>8.1f}{r.p95:>8.1f}"
            f"{r.server_ms:>10.2f}{r.db_ms:>9.2f}{biggest:>8.0f}"
        )
    by = {r.name: r.tiles_per_s for r in rows}
    cold = by.get("geo-ioc pass 1", 0.0)
    off = max((v for k, v in by.items() if k.startswith("geo-ioc cache off")), default=0.0)
    warm = max(
        (v for k, v in by.items() if k.startswith("geo-ioc pass") and k != "geo-ioc pass 1"),
        default=0.0,
    )
    nginx = max((v for k, v in by.items() if k.startswith("nginx")), default=0.0)
    tipg = max((v for k, v in by.items() if k.startswith("tipg")), default=0.0)
    checks = [
        ("cold ÷ bare SQL", cold / by["bare SQL"], 0.8),
        ("cache off ÷ bare SQL", off / by["bare SQL"], 0.8),
    ]
    if nginx:
        checks.append(("warm ÷ nginx static", warm / nginx, 0.25))
    if tipg:
        checks += [("cold ÷ tipg", cold / tipg, 1.5), ("cache off ÷ tipg", off / tipg, 1.5)]
    for name, ratio, target in checks:
        verdict = "ok" if ratio >= target else "below"
        print(f"  {name:<24}{ratio:>6.2f}  (target ≥ {target})  {verdict}")


def main() -> int:
    """Measure every layer list and print the tables."""
    scratch = ARGS.scratch or Path(tempfile.mkdtemp(prefix="geoioc-bench-tiles-"))
    scratch.mkdir(parents=True, exist_ok=True)
    ports = [int(p) for p in ARGS.ports.split(",")] if ARGS.ports else []
    ports += [peers.free_port() for _ in range(3 - len(ports))]
    venv = None if ARGS.no_tipg else peers.tipg_venv(scratch)
    schema = settings.GEO_IOC_LAYER_SCHEMA
    print(
        f"scratch {scratch}; {ARGS.workers} workers per peer, {ARGS.conns} connections, "
        f"{ARGS.passes} passes"
    )
    for layer_list in ARGS.layers or DEMO_SETS:
        slugs = layer_list.split(",")
        tiles = read_tiles(ARGS.tiles) if ARGS.tiles else tile_list(slugs)
        if not ARGS.tiles:
            listing = scratch / f"tiles-{'-'.join(slugs)[:60]}.txt"
            listing.write_text("".join(f"{t.z}/{t.x}/{t.y}\n" for t in tiles))
        zooms = [t.z for t in tiles]
        print(f"\n{layer_list}: {len(tiles)} tiles", flush=True)
        rows: list[Row] = []
        row, bodies = bare_sql(slugs, tiles)
        rows.append(row)
        ours = [[f"/tiles/{layer_list}/{t.z}/{t.x}/{t.y}.mvt"] for t in tiles]
        spare = spare_tiles(tiles)
        our_warm = [f"/tiles/{layer_list}/{t.z}/{t.x}/{t.y}.mvt" for t in spare]
        for cache in ("local", "off"):
            name = "geo-ioc" if cache == "local" else "geo-ioc cache off"
            extra = ("--shared-socket",) if ARGS.shared_socket else ()
            with peers.geoioc(
                ROOT, scratch, ARGS.database, ports[0], ARGS.workers, cache, extra
            ) as (base, pid):
                rows += measure(
                    name,
                    base,
                    pid,
                    ours,
                    zooms,
                    range(1, ARGS.passes + 1),
                    our_warm,
                    cache == "local",
                )
        if venv is not None:
            theirs = [
                [
                    f"/collections/{schema}.{s}/tiles/WebMercatorQuad/{t.z}/{t.x}/{t.y}"
                    "?geom-column=geom_3857"
                    for s in slugs
                ]
                for t in tiles
            ]
            their_warm = [
                f"/collections/{schema}.{s}/tiles/WebMercatorQuad/{t.z}/{t.x}/{t.y}"
                "?geom-column=geom_3857"
                for t in spare
                for s in slugs
            ]
            with peers.tipg(venv, scratch, ARGS.database, schema, ports[1], ARGS.workers) as up:
                if up is None:
                    print(f"  tipg did not start (see {scratch}/tipg.log)", flush=True)
                else:
                    passes = range(1, ARGS.passes + 1)
                    rows += measure("tipg", *up, theirs, zooms, passes, their_warm)
        files = {
            p[0]: gzip.compress(bodies[t], 6, mtime=0)
            for p, t in zip(ours, tiles, strict=True)
            if bodies[t]
        }
        with peers.nginx_static(scratch, files, ports[2], ARGS.workers) as up:
            if up is not None:
                passes = range(1, ARGS.passes + 1)
                rows += measure("nginx static", *up, ours, zooms, passes, our_warm)
        by_zoom(tiles, bodies)
        report(rows, len(tiles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
