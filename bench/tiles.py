"""Vector-tile throughput against its limits and a peer, in one run.

    DEBUG=1 .venv/bin/python bench/tiles.py [--quick] [--json out.json]

On a fixed tile list over the demo city (every tile at z12-z13, a seeded sample at z14-z16) for a
base-map composite and for a point layer, it measures:
  bare SQL    the same statements geo-ioc runs, over a psycopg pool of 2 connections (cold limit)
  nginx       the same gzipped tile bytes as static files (warm limit; Debian's nginx)
  geo-ioc     over HTTP, cold cache (each tile once after `geo-ioc tiles purge`) and warm, c8/c32;
              2 server processes (WEB_CONCURRENCY, default 2 here): the bare-SQL limit uses both
              cores through 2 connections, so one process per core is the fair comparison
  tipg        a FastAPI PostGIS tile server, in its own virtual environment under build/ (peer)
HTTP load comes from wrk (Debian package) so the client costs little of the two cores. Prints
tiles/s and p50/p95/p99, and the ratios the targets name. Installs nginx, wrk and tipg if missing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench-tiles"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402

from tiles import queries  # noqa: E402
from tiles.seeding import tiles_over, union_extent  # noqa: E402
from tiles.tms import Tile  # noqa: E402

BASE = ["land_use", "roads", "buildings", "heritage_buildings", "admin_units"]
POINTS = ["poi_tourism"]
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("TILE_LIST")) do paths[#paths + 1] = line end
local i = 0
local counter = 0
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
function init(args) i = offset end
request = function()
  i = i + 1
  local path = paths[(i - 1) % #paths + 1]
  return wrk.format("GET", path, {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %f %f\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Row:
    """One measured configuration."""

    name: str
    tiles_per_s: float
    p50: float
    p95: float
    p99: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def _apt(package: str, binary: str) -> None:
    if not Path(binary).exists():
        print(f"installing {package} …", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", package], check=True, stdout=subprocess.DEVNULL
        )


def tile_list(slugs: list[str], quick: bool) -> list[Tile]:
    """Every tile of the city at z12-13, a seeded sample at z14-16."""
    entries = queries.resolve_layers(AnonymousUser(), slugs)
    city = union_extent(queries.resolve_layers(AnonymousUser(), ["land_use"])) or union_extent(
        entries
    )
    assert city is not None
    rng = random.Random(20261123)
    tiles = list(tiles_over(city, range(12, 14)))
    for z in (14, 15, 16):
        every = list(tiles_over(city, range(z, z + 1)))
        tiles += rng.sample(every, min(len(every), 40 if quick else 120))
    return tiles


def bare_sql(
    slugs: list[str], tiles: list[Tile], threads: int = 8
) -> tuple[Row, dict[Tile, bytes]]:
    """The same statements over a pool of 2 connections, driven by threads."""
    from psycopg_pool import ConnectionPool

    from geo_ioc.core.db import conninfo

    user = AnonymousUser()
    entries = queries.resolve_layers(user, slugs)
    statements = {t: queries.statement_for(user, entries, t) for t in tiles}
    connection.close()
    bodies: dict[Tile, bytes] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    work = iter(tiles)
    with ConnectionPool(
        conninfo(), min_size=2, max_size=2, kwargs={"options": "-c jit=off"}
    ) as pool:

        def worker() -> None:
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

        start = time.perf_counter()
        pool_threads = [threading.Thread(target=worker) for _ in range(threads)]
        for t in pool_threads:
            t.start()
        for t in pool_threads:
            t.join()
        elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return Row("bare SQL (pool 2)", len(tiles) / elapsed, pct(0.5), pct(0.95), pct(0.99)), bodies


def wrk(name: str, base: str, paths: list[str], conns: int, seconds: float) -> Row:
    """Closed-loop load with wrk over the path list."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "tiles.lua"
        script.write_text(WRK_SCRIPT)
        env = {**os.environ, "TILE_LIST": str(listing)}
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{conns}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    _, n, duration, p50, p95, p99 = line.split()
    return Row(name, int(n) / float(duration), float(p50), float(p95), float(p99))


@contextmanager
def process(args: list[str], env: dict[str, str] | None = None) -> Iterator[None]:
    """A child process, stopped however the block ends."""
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def nginx_static(files: dict[str, bytes]) -> Iterator[str]:
    """Debian's nginx serving the gzipped tiles as static files."""
    _apt("nginx", "/usr/sbin/nginx")
    root = BUILD / "nginx"
    shutil.rmtree(root, ignore_errors=True)
    for path, body in files.items():
        target = root / "www" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.compress(body, 6, mtime=0))
    port = _free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        f"""daemon off; worker_processes 1; pid {root}/nginx.pid; error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; keepalive_requests 100000;
  types {{ application/vnd.mapbox-vector-tile mvt; }}
  server {{ listen 127.0.0.1:{port}; root {root}/www;
    location / {{ add_header Content-Encoding gzip; try_files $uri =204; }} }} }}
"""
    )
    with process(["/usr/sbin/nginx", "-c", str(conf), "-p", str(root)]):
        _wait(f"http://127.0.0.1:{port}/missing")
        yield f"http://127.0.0.1:{port}"


@contextmanager
def geoioc_server() -> Iterator[str]:
    """geo-ioc as the README runs it, one process per core (in-memory tile cache unless REDIS_URL).

    Each process has its own in-memory cache: the warm runs start with the other process's tiles
    missing, which costs one render per tile in the first moments of the run.
    """
    port = _free_port()
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    with process(
        [str(ROOT / ".venv/bin/geo-ioc"), "serve", "--port", str(port), "--workers", workers],
        # Without the per-request access log, like the nginx peer (`access_log off`).
        env={**os.environ, "LOG_LEVEL": "WARNING", "GEO_IOC_ACCESS_LOG": "0"},
    ):
        _wait(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"


@contextmanager
def tipg_server() -> Iterator[str | None]:
    """The tipg peer, from its own virtual environment, over the same database."""
    venv = ROOT / "build" / "tipg-venv"
    if not (venv / "bin" / "uvicorn").exists():
        print("installing tipg into build/tipg-venv …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "tipg", "uvicorn"], check=True)
    from django.conf import settings

    db = settings.DATABASES["default"]
    host, port_ = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    url = f"postgresql://{db.get('USER') or 'root'}@{host}:{port_}/{db['NAME']}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TIPG_DB_SCHEMAS": '["layer_data"]',
        "TIPG_MAX_FEATURES_PER_TILE": "100000",
    }
    with process(
        [str(venv / "bin/uvicorn"), "tipg.main:app", "--port", str(port), "--log-level", "warning"],
        env=env,
    ):
        try:
            _wait(f"http://127.0.0.1:{port}/healthz", timeout=90)
        except RuntimeError:
            yield None
            return
        yield f"http://127.0.0.1:{port}"


def measure(slugs: list[str], quick: bool) -> list[Row]:
    """Every row of one tile set."""
    seconds = 3.0 if quick else 10.0
    tiles = tile_list(slugs, quick)
    label = ",".join(slugs)
    print(f"\n{label}: {len(tiles)} tiles", flush=True)
    paths = [f"/tiles/{label}/{t.z}/{t.x}/{t.y}.mvt" for t in tiles]
    rows = []
    print("  bare SQL …", flush=True)
    row, bodies = bare_sql(slugs, tiles)
    rows.append(row)
    print("  nginx static …", flush=True)
    with nginx_static({p: bodies[t] for p, t in zip(paths, tiles, strict=True)}) as base:
        for c in (8, 32):
            rows.append(wrk(f"nginx static c{c}", base, paths, c, seconds))
    for c in (8, 32):
        # A new server process starts with an empty in-memory cache; a Redis cache is purged.
        subprocess.run(
            [str(ROOT / ".venv/bin/geo-ioc"), "tiles", "purge"], check=True, capture_output=True
        )
        with geoioc_server() as base:
            print(f"  geo-ioc cold c{c} …", flush=True)
            rows.append(_cold(base, paths, c))
            print(f"  geo-ioc warm c{c} …", flush=True)
            rows.append(wrk(f"geo-ioc warm c{c}", base, paths, c, seconds))
    print("  tipg …", flush=True)
    with tipg_server() as base:
        if base is None:
            print("  tipg did not start; row left out", flush=True)
        else:
            tipg_paths = [
                f"/collections/layer_data.{s}/tiles/WebMercatorQuad/{t.z}/{t.x}/{t.y}"
                for t in tiles
                for s in slugs
            ]
            for c in (8, 32):
                row = wrk(f"tipg c{c}", base, tipg_paths, c, seconds)
                # One composite tile of ours is len(slugs) tile requests to tipg.
                row.tiles_per_s /= len(slugs)
                rows.append(row)
    return rows


def _cold(base: str, paths: list[str], conns: int) -> Row:
    """Each tile requested once on an empty cache (restart-free: purge, then one pass).

    A bare HTTP/1.1 keep-alive client on asyncio streams: httpx costs ~3 ms of CPU per request
    (and logs each one), which capped this row near 300/s on two cores shared with the server.
    """
    import asyncio
    from urllib.parse import urlsplit

    host, port = urlsplit(base).hostname or "127.0.0.1", urlsplit(base).port or 80

    async def fetch(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
    ) -> tuple[int, dict[str, str]]:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n\r\n".encode()
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        await reader.readexactly(int(headers.get("content-length", "0")))
        return int(head[0].split()[1]), headers

    async def run() -> Row:
        latencies: list[float] = []
        queue: asyncio.Queue[str] = asyncio.Queue()
        for p in paths:
            queue.put_nowait(p)

        async def worker() -> None:
            reader, writer = await asyncio.open_connection(host, port)
            try:
                while not queue.empty():
                    p = queue.get_nowait()
                    t0 = time.perf_counter()
                    status, headers = await fetch(reader, writer, p)
                    assert status in (200, 204), (p, status)
                    assert headers.get("x-tile-cache", "miss") == "miss" or status == 204
                    latencies.append(time.perf_counter() - t0)
            finally:
                writer.close()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conns)))
        elapsed = time.perf_counter() - start
        latencies.sort()

        def pct(q: float) -> float:
            return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

        return Row(f"geo-ioc cold c{conns}", len(paths) / elapsed, pct(0.5), pct(0.95), pct(0.99))

    return asyncio.run(run())


def report(label: str, rows: list[Row]) -> None:
    """The table and the target ratios."""
    print(f"\n{label}\n{'':<22}{'tiles/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for r in rows:
        print(f"{r.name:<22}{r.tiles_per_s:>10.0f}{r.p50:>9.1f}{r.p95:>9.1f}{r.p99:>9.1f}")
    by = {r.name: r.tiles_per_s for r in rows}
    cold = max(by.get("geo-ioc cold c8", 0), by.get("geo-ioc cold c32", 0))
    warm = max(by.get("geo-ioc warm c8", 0), by.get("geo-ioc warm c32", 0))
    nginx = max(by.get("nginx static c8", 0), by.get("nginx static c32", 0))
    tipg = max(by.get("tipg c8", 0), by.get("tipg c32", 0))
    checks: list[tuple[str, float, float]] = [
        ("cold ÷ bare SQL", cold / by["bare SQL (pool 2)"], 0.8),
        ("warm ÷ nginx static", warm / nginx if nginx else 0.0, 0.25),
    ]
    if tipg:
        checks.append(("cold ÷ tipg", cold / tipg, 1.5))
    for name, ratio, target in checks:
        verdict = "ok" if ratio >= target else "below"
        print(f"  {name:<22}{ratio:>6.2f}  (target ≥ {target})  {verdict}")


def main() -> int:
    """Run both tile sets and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tiles, shorter runs")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    _apt("wrk", "/usr/bin/wrk")
    results: dict[str, list[Row]] = {}
    for slugs in (BASE, POINTS):
        results[",".join(slugs)] = measure(slugs, args.quick)
    for label, rows in results.items():
        report(label, rows)
    if args.json:
        args.json.write_text(json.dumps({k: [asdict(r) for r in v] for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
