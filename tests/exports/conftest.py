"""A second live server whose direct-download limit is tiny, to drive the job path over HTTP,
and a `geo-ioc worker` beside it (started by the tests that need their jobs to run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Users, running_server
from tests.jobs.worker import running_worker

SMALL_LIMIT = 100


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export folder shared by the job server and its workers."""
    return tmp_path_factory.mktemp("export-jobs")


@pytest.fixture(scope="session")
def job_url(django_db_setup: None, users: Users, export_dir: Path) -> Iterator[str]:
    """Base URL of a server with GEO_IOC_EXPORT_SYNC_MAX=100 and its own export folder."""
    with running_server(
        "export-server.log",
        GEO_IOC_EXPORT_SYNC_MAX=str(SMALL_LIMIT),
        GEO_IOC_EXPORT_DIR=str(export_dir),
    ) as url:
        yield url


@pytest.fixture
def export_worker(job_url: str, export_dir: Path) -> Iterator[None]:
    """A real `geo-ioc worker` process running the job server's export jobs."""
    with running_worker("export-worker.log", GEO_IOC_EXPORT_DIR=str(export_dir)):
        yield


def save(response: httpx.Response, folder: Path) -> Path:
    """Write a download under the name the server gave it."""
    disposition = response.headers["content-disposition"]
    name = disposition.split('filename="', 1)[1].rstrip('"')
    path = folder / name
    path.write_bytes(response.content)
    return path
