"""Live pipeline benchmark: readings ingested over HTTP at rising rates, 50 WebSocket clients.

For each target rate the script posts batches of readings for the demo stations for a fixed
time and measures, for every station event each client receives, the latency from the moment
the batch was sent to its delivery. It prints per rate: readings/s achieved, p50/p95/p99
latency, and ratios against the target (1,000 readings/s, p95 < 500 ms) and against the limit
(the same rows inserted by bare SQL over one connection, no HTTP, no AQI, no push).

Runs against its own database (created, migrated and loaded with the demo city) and its own
server process; nothing else is touched. Usage:  .venv/bin/python bench/live.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import websockets

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgis://root@127.0.0.1:5432/geoioc_bench")
CLIENTS = 50
STAMPS = 2  # each POST carries every air station's pollutants at this many instants
WORKERS = 2  # uvicorn workers: one per core
TARGET_RATE = 1000.0
TARGET_P95_MS = 500.0
POLLUTANTS = ("pm25", "pm10", "o3", "no2", "so2", "co")


def cli(*args: str) -> str:
    env = {**os.environ, "DATABASE_URL": BENCH_DB, "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "geo_ioc.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Step:
    """One target rate: what was sent and what arrived."""

    rate: float
    sent_at: dict[tuple[str, str], float] = field(default_factory=dict)  # (station, time) → t
    latencies: list[float] = field(default_factory=list)
    readings: int = 0
    seconds: float = 0.0
    errors: int = 0


class Clients:
    """CLIENTS WebSocket subscribers of env_stations, recording delivery latencies."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.step: Step | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.ready = 0

    async def _one(self) -> None:
        async with websockets.connect(self.url, max_queue=None) as ws:
            await ws.send(json.dumps({"subscribe": ["env_stations"]}))
            json.loads(await ws.recv())
            self.ready += 1
            async for raw in ws:
                arrived = time.perf_counter()
                msg = json.loads(raw)
                step = self.step
                if step is None or msg.get("type") != "event":
                    continue
                props = msg["feature"]["properties"]
                sent = step.sent_at.get((props["code"], props["last_reading_at"]))
                if sent is not None:
                    step.latencies.append((arrived - sent) * 1000)

    async def start(self) -> None:
        """Connect every client and wait until all are subscribed."""
        self.tasks = [asyncio.create_task(self._one()) for _ in range(CLIENTS)]
        while self.ready < CLIENTS:
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Disconnect every client."""
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def run_step(base: str, token: str, stations: list[str], step: Step, seconds: float) -> None:
    """Post batches at `step.rate` readings/s for `seconds`; every reading a new instant."""
    batch_size = STAMPS * len(stations) * len(POLLUTANTS)
    interval = batch_size / step.rate
    start = time.perf_counter()
    n = 0
    in_flight: set[asyncio.Task[None]] = set()
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as http:

        async def post(batch: list[dict[str, object]], keys: list[tuple[str, str]]) -> None:
            sent = time.perf_counter()
            for key in keys:
                step.sent_at[key] = sent
            r = await http.post("/sensors/readings", json=batch)
            if r.status_code != 200:
                step.errors += 1
                if step.errors == 1:
                    print(f"    POST failed: {r.status_code} {r.text[:300]}", file=sys.stderr)
            else:
                step.readings += r.json()["inserted"]

        while time.perf_counter() - start < seconds:
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            # Instants just before now, microseconds apart: the newest one becomes each
            # station's last_reading_at in its event, which keys the latency.
            now = datetime.now(UTC)
            instants = [
                (now - timedelta(microseconds=STAMPS - i)).isoformat() for i in range(STAMPS)
            ]
            batch = [
                {"station": s, "time": t, "pollutant": p, "value": 20.0 + n % 7}
                for t in instants
                for s in stations
                for p in POLLUTANTS
            ]
            task = asyncio.create_task(post(batch, [(s, instants[-1]) for s in stations]))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            n += 1
        await asyncio.gather(*in_flight)
    step.seconds = time.perf_counter() - start


def sql_limit(stations: list[str], rows: int) -> float:
    """Readings/s of the bare insert (same unnest statement) over one connection."""
    url = BENCH_DB.replace("postgis://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM sensors_station WHERE code = ANY(%s)", [stations]
            ).fetchall()
        ]
        origin = datetime.now(UTC) - timedelta(days=60)
        start = time.perf_counter()
        per_batch = STAMPS * len(ids) * len(POLLUTANTS)
        for b in range(rows // per_batch):
            stamps = [origin + timedelta(seconds=b, microseconds=i) for i in range(STAMPS)]
            batch = [(sid, t, p, 20.0) for t in stamps for sid in ids for p in POLLUTANTS]
            conn.execute(
                "INSERT INTO sensors_reading"
                " (station_id, time, pollutant, value, unit, received_at, synthetic)"
                " SELECT s, t, p, v, 'ug/m3', now(), true FROM unnest(%s::int[],"
                " %s::timestamptz[], %s::text[], %s::float8[]) r(s, t, p, v)"
                " ON CONFLICT DO NOTHING",
                [
                    [x[0] for x in batch],
                    [x[1] for x in batch],
                    [x[2] for x in batch],
                    [x[3] for x in batch],
                ],
            )
        return rows / (time.perf_counter() - start)


async def main(quick: bool) -> None:
    print("preparing the bench database (dbinit, migrate, demo load)…", flush=True)
    cli("dbinit")
    cli("migrate", "--no-input")
    cli("demo", "load")
    out = cli("createuser", "bench_operator", "--role", "operator", "--no-password", "--token")
    token = out.rsplit(":", 1)[1].strip()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DB,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    # The server's log, to see what a failed request hit.
    log_path = ROOT / "build" / "bench-live-server.log"
    log_path.parent.mkdir(exist_ok=True)
    server_log = log_path.open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geo_ioc.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.2)
        stations = [
            f["properties"]["code"]
            for f in httpx.get(f"{base}/sensors/stations").json()["features"]
            if f["properties"]["kind"] == "air"
        ]
        clients = Clients(f"ws://127.0.0.1:{port}/ws/live")
        await clients.start()
        rates = [250.0, 1000.0] if quick else [250.0, 500.0, 1000.0, 1500.0, 2000.0]
        seconds = 5.0 if quick else 10.0
        steps = []
        for rate in rates:
            step = Step(rate)
            clients.step = step
            await run_step(base, token, stations, step, seconds)
            await asyncio.sleep(2.0)  # let the last deliveries arrive
            clients.step = None
            steps.append(step)
            print(f"  {rate:>6.0f}/s done", flush=True)
        await clients.stop()
    finally:
        server.terminate()
        server.wait(timeout=20)
        server_log.close()
    limit = sql_limit(stations, 20_000)
    batch = STAMPS * len(stations) * len(POLLUTANTS)
    print(
        f"\n{CLIENTS} WebSocket clients, {WORKERS} server workers, batches of {batch} readings, "
        f"{'5' if quick else '10'} s per rate; limit = bare SQL insert {limit:,.0f} readings/s\n"
    )
    print(
        f"{'target/s':>9} {'achieved/s':>11} {'vs target':>9} {'vs limit':>9} "
        f"{'deliveries':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/500':>8} errors"
    )
    for s in steps:
        achieved = s.readings / s.seconds if s.seconds else 0.0
        p95 = pct(s.latencies, 0.95)
        print(
            f"{s.rate:>9.0f} {achieved:>11.0f} {achieved / s.rate:>9.2f} {achieved / limit:>9.3f} "
            f"{len(s.latencies):>10} {pct(s.latencies, 0.5):>8.1f} {p95:>8.1f} "
            f"{pct(s.latencies, 0.99):>8.1f} {p95 / TARGET_P95_MS:>8.2f} {s.errors:>6}"
        )
    ok = [
        s
        for s in steps
        if s.readings / s.seconds >= 0.95 * s.rate and pct(s.latencies, 0.95) < TARGET_P95_MS
    ]
    best = max((s.rate for s in ok), default=0.0)
    print(
        f"\nsustained (≥95 % of target rate, p95 < {TARGET_P95_MS:.0f} ms): {best:.0f} readings/s"
        f" = {best / TARGET_RATE:.2f}× the 1,000/s target"
    )
    if statistics.fmean([len(s.latencies) for s in steps] or [0]) == 0:
        print("warning: no deliveries were matched", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two rates, 5 s each")
    asyncio.run(main(parser.parse_args().quick))
