"""Session-wide test set-up: a real PostGIS database with the demo city, and a live ASGI server.

The test database is created and migrated by pytest-django; the demo city is then loaded once,
committed, so that the uvicorn server started in a subprocess sees the same data. Tests that
write use the `db` fixture (their transaction rolls back) and never the flushing
`transactional_db`, which would empty the catalogue for everyone after them.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@dataclass(frozen=True)
class Users:
    """API tokens of the users the session creates, one per role."""

    operator: str
    planner: str
    admin: str


# A layer whose source is not in EPSG:4326: the real district boundaries, as a land office would
# hand them over in VN-2000 / TM-3 107°45′ (Lâm Đồng), imported through `geo-ioc import`.
VN2000_LAYER = "districts_vn2000"


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None,
    django_db_blocker: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Migrate (pytest-django), load the demo city and a VN-2000 import once, and commit them."""
    import geopandas as gpd
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    from layers.models import Layer

    # pytest-django creates the test database only when a selected test asks for `db`; a run of
    # browser tests alone asks for none and would load the demo into the developer's database.
    own_databases = None
    if connection.settings_dict["NAME"] != connection.settings_dict["TEST"]["NAME"]:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            own_databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})

    source = Path(settings.GEO_IOC_DATA_DIR) / "dalat" / "lamdong_admin_districts_gov.gpkg"
    districts = gpd.read_file(source).to_crs(5899)
    vn2000 = tmp_path_factory.mktemp("vn2000") / "districts_vn2000.gpkg"
    districts.to_file(vn2000, engine="pyogrio")
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("demo", "load", verbosity=0)
        call_command(
            "import_layer",
            str(vn2000),
            "--layer",
            VN2000_LAYER,
            "--access",
            "public",
            "--no-progress",
            verbosity=0,
            stdout=io.StringIO(),
        )
        counts = dict(Layer.objects.values_list("slug", "feature_count"))
    assert counts[VN2000_LAYER] == len(districts)
    assert counts["roads"] > 1000 and counts["buildings"] > 1000
    yield
    # The change feed's listener thread (started by the catalogue and the tile cache) holds a
    # connection to the test database: end it, or the database cannot be dropped.
    with django_db_blocker.unblock(), connection.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND current_database() LIKE 'test\\_%%'"
        )
    if own_databases is not None:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            teardown_databases(own_databases, verbosity=0)


@pytest.fixture(scope="session")
def users(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Users:
    """One committed user per role, each with an API token."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from geo_ioc.core.models import ApiToken
    from geo_ioc.core.roles import Role, ensure_groups

    keys: dict[str, str] = {}
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        ensure_groups()
        for role in (Role.OPERATOR, Role.PLANNER, Role.ADMIN):
            user, _ = get_user_model().objects.get_or_create(username=f"test_{role.value}")
            user.groups.add(Group.objects.get(name=role.value))
            _, keys[role.value] = ApiToken.issue(user, name="tests")
    return Users(operator=keys["operator"], planner=keys["planner"], admin=keys["admin"])


# The shared test server takes writes and exports from the whole suite: its rate limits are
# loosened (tests/security exercises the real ones, each with its own counters).
LOOSE_LIMITS = {
    "GEO_IOC_THROTTLE_WRITE": "1000000/60",
    "GEO_IOC_THROTTLE_EXPORT": "1000000/60",
    "GEO_IOC_THROTTLE_TOKEN_IP": "1000000/60",
    "GEO_IOC_THROTTLE_LOGIN_IP": "1000000/60",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """DATABASE_URL of the test database, for processes started by the tests."""
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = s.get("USER") or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgis://{auth}@{host}:{port}/{s['NAME']}"


@contextlib.contextmanager
def running_server(log_name: str, **env_overrides: str) -> Iterator[str]:
    """A uvicorn server running geo-ioc against the test database; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1", **LOOSE_LIMITS}
    env.update(env_overrides)
    log = ARTIFACTS / log_name
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("wb") as out:
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
                raise RuntimeError(f"server did not start; see {log}")
            time.sleep(0.2)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def live_url(django_db_setup: None, users: Users) -> Iterator[str]:
    """Base URL of a uvicorn server running geo-ioc against the test database."""
    with running_server("server.log") as url:
        yield url


@pytest.fixture(scope="session")
def http(live_url: str) -> Iterator[httpx.Client]:
    """A real HTTP client bound to the live server."""
    with httpx.Client(base_url=live_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other test artefacts (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
