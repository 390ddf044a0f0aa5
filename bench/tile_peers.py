"""The servers `bench/tiles.py` compares, the one HTTP client they all get, and CPU accounting.

Every peer runs from the scratch directory (never the repository), with the same number of
worker processes, is sent the same requests (`Accept-Encoding: gzip`, as browsers send) by the
same client, and is measured the same way: tiles/s, latency, bytes, and CPU milliseconds per
tile of the server's processes and of the PostgreSQL backends serving it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

# /proc/PID/stat counts in clock ticks (10 ms): passes are long enough for that.
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 90.0) -> bool:
    """Whether the URL answers (any status below 500) within the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def _cpu_of(pid: int) -> float:
    """User and system CPU seconds of one process, its ended threads included (0 when gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _tree(root: int) -> list[int]:
    """A process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


@dataclass
class CpuMeter:
    """CPU seconds of a server's process tree and of the database's client backends."""

    conninfo: str
    server: int | None = None
    _start: dict[int, float] = field(default_factory=dict)
    # CPU seconds of each server process in the last measured interval (the workers' spread).
    per_process: dict[int, float] = field(default_factory=dict)

    def _backends(self) -> list[int]:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def _sample(self) -> dict[int, float]:
        pids = {-p: _cpu_of(p) for p in (_tree(self.server) if self.server else [])}
        pids.update({p: _cpu_of(p) for p in self._backends()})
        return pids

    def start(self) -> None:
        """Remember where every process stands."""
        self._start = self._sample()

    def stop(self) -> tuple[float, float]:
        """CPU seconds since `start`: (server, PostgreSQL)."""
        now = self._sample()
        self.per_process = {-k: v - self._start.get(k, 0.0) for k, v in now.items() if k < 0}
        server = sum(v - self._start.get(k, 0.0) for k, v in now.items() if k < 0)
        database = sum(v - self._start.get(k, 0.0) for k, v in now.items() if k > 0)
        return server, database


@dataclass
class Pass:
    """One pass over the tile list: wall time, latencies, status and body size per request."""

    seconds: float
    latencies: list[float]
    sizes: list[int]
    statuses: list[int]
    headers: list[dict[str, str]]


def run_pass(base: str, paths: list[str], conns: int) -> Pass:
    """Request every path once over `conns` keep-alive connections (a bare HTTP/1.1 client).

    The client is the same for every peer and costs little CPU (no HTTP library per request).
    Results keep the order of `paths`.
    """
    host = base.split("//", 1)[1].split(":")[0]
    port = int(base.rsplit(":", 1)[1])
    n = len(paths)
    latencies, sizes, statuses = [0.0] * n, [0] * n, [0] * n
    headers: list[dict[str, str]] = [{}] * n

    async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, i: int) -> None:
        t0 = time.perf_counter()
        writer.write(
            f"GET {paths[i]} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Accept-Encoding: gzip\r\n\r\n".encode()
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin1").split("\r\n")
        got = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        if got.get("transfer-encoding") == "chunked":
            length = 0
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16):
                await reader.readexactly(size + 2)
                length += size
            await reader.readuntil(b"\r\n")
        else:
            length = int(got.get("content-length", "0"))
            await reader.readexactly(length)
        latencies[i], sizes[i] = time.perf_counter() - t0, length
        statuses[i], headers[i] = int(head[0].split()[1]), got

    async def main() -> float:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(n):
            queue.put_nowait(i)

        async def worker() -> None:
            reader, writer = await asyncio.open_connection(host, port, limit=2**24)
            try:
                while not queue.empty():
                    await fetch(reader, writer, queue.get_nowait())
            finally:
                writer.close()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conns)))
        return time.perf_counter() - start

    seconds = asyncio.run(main())
    return Pass(seconds, latencies, sizes, statuses, headers)


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[int]:
    """A child process in its own session (stopped with its children however the block ends)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=out, start_new_session=True)
        try:
            yield proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def geoioc(
    root: Path,
    scratch: Path,
    database: str,
    port: int,
    workers: int,
    cache: str,
    extra: tuple[str, ...] = (),
) -> Iterator[tuple[str, int]]:
    """geo-ioc as the README runs it: `geo-ioc serve --workers N`, no access log."""
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "LOG_LEVEL": "WARNING",
        "GEO_IOC_ACCESS_LOG": "0",
        "GEO_IOC_TILE_CACHE": cache,
        "REDIS_URL": "",
    }
    binary = Path(sys.executable).parent / "geo-ioc"
    args = [str(binary), "serve", "--port", str(port), "--workers", str(workers), *extra]
    with process(args, env, scratch / f"geoioc-{cache}.log") as pid:
        base = f"http://127.0.0.1:{port}"
        if not wait_up(f"{base}/healthz"):
            raise RuntimeError(f"geo-ioc did not start; see {scratch}/geoioc-{cache}.log")
        yield base, pid


def tipg_venv(scratch: Path) -> Path | None:
    """Tipg (from PyPI) in a virtual environment of the scratch directory; None if it fails."""
    venv = scratch / "tipg-venv"
    if not (venv / "bin" / "uvicorn").exists():
        print("  installing tipg into the scratch directory …", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin/pip"), "install", "-q", "tipg", "uvicorn"],
                check=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"  tipg could not be installed ({exc}); its rows are left out", flush=True)
            return None
    return venv


@contextmanager
def tipg(
    venv: Path, scratch: Path, database: str, schema: str, port: int, workers: int
) -> Iterator[tuple[str, int] | None]:
    """Tipg over the same database and schema, as many uvicorn workers as geo-ioc has.

    It gzips what a client accepts (its default compression middleware), as geo-ioc does, and
    is asked for the same stored EPSG:3857 column (`?geom=geom_3857`).
    """
    env = {
        **os.environ,
        "DATABASE_URL": database.replace("postgis://", "postgresql://"),
        "TIPG_DB_SCHEMAS": f'["{schema}"]',
        "TIPG_MAX_FEATURES_PER_TILE": "1000000",
    }
    args = [
        str(venv / "bin/uvicorn"),
        "tipg.main:app",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with process(args, env, scratch / "tipg.log") as pid:
        base = f"http://127.0.0.1:{port}"
        yield ((base, pid) if wait_up(f"{base}/healthz") else None)


@contextmanager
def nginx_static(
    scratch: Path, files: dict[str, bytes], port: int, workers: int
) -> Iterator[tuple[str, int] | None]:
    """Nginx (if installed; nothing is installed) serving the gzipped tiles from disk."""
    binary = Path("/usr/sbin/nginx")
    if not binary.exists():
        yield None
        return
    root = scratch / "nginx"
    for path, body in files.items():
        target = root / "www" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    conf = root / "nginx.conf"
    conf.write_text(
        f"""daemon off; worker_processes {workers}; pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; keepalive_requests 100000;
  types {{ application/vnd.mapbox-vector-tile mvt; }}
  server {{ listen 127.0.0.1:{port}; root {root}/www;
    location / {{ add_header Content-Encoding gzip; try_files $uri =204; }} }} }}
"""
    )
    with process(
        [str(binary), "-c", str(conf), "-p", str(root)], dict(os.environ), root / "out"
    ) as pid:
        base = f"http://127.0.0.1:{port}"
        yield ((base, pid) if wait_up(f"{base}/missing", 20) else None)
