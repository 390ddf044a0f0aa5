"""The threads that do the tile path's catalogue, cache and SQL work off the event loop.

Under ASGI a sync view runs in its request's thread-sensitive thread, and a sync-only middleware
holds that thread for the whole request; the tile view is async instead and hands its blocking
work to this bounded pool, so several tiles render at once (one database connection each) while
further requests wait in the pool's queue — a few connections with a queue in front beat many
(reference/tile-performance.md). Django's connections are thread-local and nothing closes the ones
opened in executor threads, so each task gives its connection back to the pool when it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

_executor = ThreadPoolExecutor(max_workers=settings.GEO_IOC_TILE_THREADS, thread_name_prefix="tile")


def _task[**P, T](fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        return fn(*args, **kwargs)
    finally:
        # With the pool (CONN_MAX_AGE 0) this returns the connection; a persistent one stays.
        close_old_connections()


async def run[**P, T](fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run fn in a tile thread and await its result (exceptions propagate)."""
    call = sync_to_async(_task, thread_sensitive=False, executor=_executor)
    return await call(fn, *args, **kwargs)
