"""The threads that do the tile path's catalogue, cache and SQL work off the event loop.

Under ASGI a sync view runs in its request's thread-sensitive thread, and a sync-only middleware
holds that thread for the whole request; the tile view is async instead and hands its blocking
work to this bounded pool, so several tiles render at once (one database connection each) while
further requests wait in the pool's queue — a few connections with a queue in front beat many
(reference/tile-performance.md).

A tile's statement runs on a connection leased straight from the process's psycopg pool
(`lease`) for the task and handed back when it ends: Django's per-checkout work (adapters
registered again, the debug cursor, client-side binding) costs about as much CPU as a small
tile's SQL, and none of it is needed to read one bytea; on it the tile statements are also
prepared (`tiles.queries`, `GEO_IOC_TILE_PREPARE`), as planning a composite costs about as
much as executing a small tile. Django's
connections are thread-local and nothing closes the ones opened in executor threads (the
catalogue, a user's token), so each task also gives those back.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

_executor = ThreadPoolExecutor(max_workers=settings.GEO_IOC_TILE_THREADS, thread_name_prefix="tile")
_local = threading.local()


def lease() -> Any | None:
    """The task's raw psycopg connection from Django's pool (None: not in a tile task, no pool).

    Autocommit, like Django's; taken at the first call in a task, returned when the task ends.
    """
    if not getattr(_local, "in_task", False):
        return None
    conn = getattr(_local, "conn", None)
    if conn is None:
        pool = getattr(connection, "pool", None)
        if pool is None:
            return None
        pool.open()
        conn = pool.getconn()
        if not conn.autocommit:
            conn.autocommit = True
        _local.conn, _local.pool = conn, pool
    return conn


def _task[**P, T](fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    _local.in_task = True
    try:
        return fn(*args, **kwargs)
    finally:
        _local.in_task = False
        conn = getattr(_local, "conn", None)
        if conn is not None:
            _local.conn = None
            _local.pool.putconn(conn)  # the pool rolls back or discards a broken one
        # With the pool (CONN_MAX_AGE 0) this returns Django's connection; a persistent one stays.
        close_old_connections()


async def run[**P, T](fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run fn in a tile thread and await its result (exceptions propagate).

    The executor is called directly, in a copy of the caller's context (as `asyncio.to_thread`
    does): asgiref's `sync_to_async` adds about 20 µs per call of bookkeeping this pool does
    not need (it is never thread-sensitive; Django's connections here are per thread anyway).
    """
    call: Callable[[], T] = functools.partial(_task, fn, *args, **kwargs)
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_executor, context.run, call)
