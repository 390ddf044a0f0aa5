"""`geo-ioc worker` processes against the test database, for tests of the job queue."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from tests.conftest import ARTIFACTS, ROOT, database_url
from tests.helpers import own_connection

# Fast beats so a killed worker is found dead in seconds (the defaults are 10 s and 60 s).
FAST = {
    "GEO_IOC_JOBS_HEARTBEAT_SECONDS": "1",
    "GEO_IOC_JOBS_STALLED_SECONDS": "3",
    "GEO_IOC_JOBS_BACKOFF_SECONDS": "2",
    "GEO_IOC_JOBS_MODULES": "tests.jobs.tasks",
}


def wait_for(check: Callable[[], Any], seconds: float = 60, what: str = "state") -> Any:
    """Poll `check` until it returns something true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _newest_worker() -> int:
    with own_connection() as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM procrastinate_workers").fetchone()
        return int(row[0]) if row else 0


@contextlib.contextmanager
def running_worker(log_name: str, **env_overrides: str) -> Iterator[subprocess.Popen[bytes]]:
    """A `geo-ioc worker` subprocess, yielded once it has registered in the database."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1", **FAST, **env_overrides}
    ARTIFACTS.mkdir(exist_ok=True)
    before = _newest_worker()
    with (ARTIFACTS / log_name).open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "geo_ioc.cli", "worker", "--concurrency", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(
                lambda: proc.poll() is not None or _newest_worker() > before,
                30,
                f"worker to register (see {log_name})",
            )
            assert proc.poll() is None, f"worker exited; see test-artifacts/{log_name}"
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()  # SIGTERM: a graceful stop
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
