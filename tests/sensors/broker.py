"""A Mosquitto of the test's own on a free port (the shared one on 1883 is never touched)."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT, database_url

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Broker:
    """One mosquitto process with persistence in `folder`, restartable on the same port."""

    def __init__(self, folder: Path, config: str | None = None) -> None:
        """`config` replaces the default (anonymous, persistent) settings; the port is added."""
        self.folder, self.port = folder, free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            # Started as root, mosquitto would switch to its own user, which cannot write here.
            f"user {getpass.getuser()}\n"
            + (
                config
                or "allow_anonymous true\npersistence true\n"
                f"persistence_location {folder}/\nmax_queued_messages 100000\n"
            )
        )

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "mosquitto.log").open("ab"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"mosquitto did not start; see {self.folder}/mosquitto.log")

    def stop(self) -> None:
        """SIGTERM: what a service manager or `docker restart` sends (the store is saved)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.proc = None


@contextmanager
def own_broker(folder: Path, extra: str | None = None) -> Iterator[Broker]:
    broker = Broker(folder, extra)
    broker.start()
    try:
        yield broker
    finally:
        if broker.proc and broker.proc.poll() is None:
            broker.proc.kill()
            broker.proc.wait(timeout=10)


@contextmanager
def consumer_process(
    url: str, prefix: str, client_id: str, app_name: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`geo-ioc mqtt` on the test database, output to `log`; its sessions are named `app_name`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "PGAPPNAME": app_name,
    }
    args = ["mqtt", "--url", url, "--prefix", prefix, "--client-id", client_id, "--seconds", "600"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo_ioc.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
