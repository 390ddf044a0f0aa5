"""Small helpers shared by the test modules: API token headers and SQL truth."""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection

from geo_ioc.core.db import conninfo


def auth(token: str | None) -> dict[str, str]:
    """The Authorization header of an API token (none for anonymous)."""
    return {"Authorization": f"Token {token}"} if token else {}


def rows(query: str, params: Any = None) -> list[tuple[Any, ...]]:
    """All rows of a query on the test database."""
    with connection.cursor() as cur:
        cur.execute(query, params)
        return list(cur.fetchall())


def own_connection() -> psycopg.Connection:
    """A connection of its own to the test database, outside the test's transaction."""
    return psycopg.connect(conninfo(), autocommit=True)


def settle() -> None:
    """What COMMIT does for the live path, inside a test's transaction (which never commits).

    The event log numbers a transaction's entries at COMMIT; forcing the deferred trigger now
    numbers them, and the subscribers that follow this process's commits (the alert rules) run.
    """
    from geo_ioc.core.live import listener

    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    listener.wake_all(local_commit=True)
