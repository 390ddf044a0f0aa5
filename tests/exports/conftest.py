"""A second live server whose direct-download limit is tiny, to drive the job path over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Users, running_server

SMALL_LIMIT = 100


@pytest.fixture(scope="session")
def job_url(
    django_db_setup: None, users: Users, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a server with GEO_IOC_EXPORT_SYNC_MAX=100 and its own export folder."""
    with running_server(
        "export-server.log",
        GEO_IOC_EXPORT_SYNC_MAX=str(SMALL_LIMIT),
        GEO_IOC_EXPORT_DIR=str(tmp_path_factory.mktemp("export-jobs")),
    ) as url:
        yield url


def save(response: httpx.Response, folder: Path) -> Path:
    """Write a download under the name the server gave it."""
    disposition = response.headers["content-disposition"]
    name = disposition.split('filename="', 1)[1].rstrip('"')
    path = folder / name
    path.write_bytes(response.content)
    return path
