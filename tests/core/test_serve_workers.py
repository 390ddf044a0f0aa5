"""`geo-ioc serve --workers N`: N processes, each accepting on its own SO_REUSEPORT socket.

Checked on the running server through the kernel's own tables: the port has one listening socket
per worker (uvicorn's shared socket would be one), each held by a different worker process, new
connections are answered, and SIGTERM stops the workers with the parent.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ARTIFACTS, LOOSE_LIMITS, ROOT, database_url

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="Linux only")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening_inodes(port: int) -> set[str]:
    """Inodes of the IPv4 sockets listening on the port (state 0A in /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
            inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(entry.name))
    return out


def test_each_worker_listens_on_its_own_socket_and_all_stop_together() -> None:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1", **LOOSE_LIMITS}
    ARTIFACTS.mkdir(exist_ok=True)
    args = [sys.executable, "-m", "geo_ioc.cli", "serve", "--port", str(port), "--workers", "2"]
    with (ARTIFACTS / "server-workers.log").open("wb") as log:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        # Both workers are up when the port has two listening sockets and it answers.
        deadline = time.monotonic() + 60
        while len(_listening_inodes(port)) < 2 or not _answers(url):
            assert proc.poll() is None, "the server ended; see server-workers.log"
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        listening = _listening_inodes(port)
        workers = [p for p in _children(proc.pid) if _socket_inodes(p) & listening]
        assert len(listening) == 2 and len(workers) == 2
        held = [_socket_inodes(p) & listening for p in workers]
        assert held[0] and held[1] and not held[0] & held[1]  # one socket each
        assert not _socket_inodes(proc.pid) & listening  # the parent accepts nothing
        for _ in range(20):  # new connections, each answered by one of them
            assert httpx.get(url, timeout=10).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
        assert not any(Path(f"/proc/{p}").exists() for p in workers)
    finally:
        if proc.poll() is None:
            proc.kill()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False
