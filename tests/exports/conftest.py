"""A second live server whose direct-download limit is tiny, to drive the job path over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ARTIFACTS, ROOT, Users, _free_port, database_url

SMALL_LIMIT = 100


@pytest.fixture(scope="session")
def job_url(
    django_db_setup: None, users: Users, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a server with GEO_IOC_EXPORT_SYNC_MAX=100 and its own export folder."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "DB_CONN_MAX_AGE": "0",
        "GEO_IOC_EXPORT_SYNC_MAX": str(SMALL_LIMIT),
        "GEO_IOC_EXPORT_DIR": str(tmp_path_factory.mktemp("export-jobs")),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "export-server.log").open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "geo_ioc.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("export server did not start; see export-server.log")
            time.sleep(0.2)
        yield url
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def save(response: httpx.Response, folder: Path) -> Path:
    """Write a download under the name the server gave it."""
    disposition = response.headers["content-disposition"]
    name = disposition.split('filename="', 1)[1].rstrip('"')
    path = folder / name
    path.write_bytes(response.content)
    return path
