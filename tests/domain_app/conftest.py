"""A fresh install of its own: an empty database, `geo-ioc migrate`, no demo, and a server.

The database is separate from the session's demo database (which it never touches) and runs
with `tests.domain_app.settings`: the project's settings plus the test domain app, so nothing
outside `tests/domain_app/` names the test domain.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from django.conf import settings

from tests.conftest import ROOT, running_server

SETTINGS = "tests.domain_app.settings"


@dataclass(frozen=True)
class Fresh:
    """The fresh install: its database URL, an operator's token and a client of its server."""

    url: str
    operator: str
    http: httpx.Client


def run_cli(env: dict[str, str], *args: str) -> str:
    """Run `geo-ioc ARGS` in the given environment; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "geo_ioc.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"geo-ioc {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _admin_url(db: dict[str, object], name: str) -> str:
    auth = str(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgis://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture(scope="session")
def fresh() -> Iterator[Fresh]:
    """An empty database migrated by `geo-ioc migrate` (no demo) and a server over it."""
    db = settings.DATABASES["default"]
    name = f"{db['TEST']['NAME']}_fresh"
    url = _admin_url(db, name)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": SETTINGS}
    run_cli(env, "dbinit")
    try:
        run_cli(env, "migrate", "--verbosity", "0")
        out = run_cli(
            env, "createuser", "fresh_op", "--role", "operator", "--no-password", "--token"
        )
        token = out.rsplit(":", 1)[-1].strip()
        with (
            running_server("fresh.log", DATABASE_URL=url, DJANGO_SETTINGS_MODULE=SETTINGS) as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            yield Fresh(url=url, operator=token, http=client)
    finally:
        postgres = _admin_url(db, "postgres").replace("postgis://", "postgresql://")
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(
                psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    psycopg.sql.Identifier(name)
                )
            )


def fresh_sql(fresh: Fresh, query: str, params: object = None) -> list[tuple[object, ...]]:
    """Run SQL on the fresh database (committed); the rows it returns, if any."""
    with psycopg.connect(fresh.url.replace("postgis://", "postgresql://"), autocommit=True) as conn:
        cur = conn.execute(query, params)  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []
