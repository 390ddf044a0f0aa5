"""Wall synchronisation across server processes through PostgreSQL LISTEN/NOTIFY.

A console that drives a wall sends its view; every screen of that wall, on whichever server
process its WebSocket landed, must hear it within a frame or two. The options were the Channels
layer (in memory without Redis, which reaches only the clients of one process) and the event log
of `geo_ioc.operations` (durable, replayed on reconnect — right for incidents, wrong for a pan that
is stale a second later and would flood the log and every replay). So views travel as plain
NOTIFY messages on their own channel: no Redis needed, every process hears every message, nothing
is replayed. Only the newest view and focus of each wall are kept (`WallState`, upserted in the
same statement that notifies), so a screen that starts or reconnects joins where the wall is.

Each process hears the channel through its one listener (`geo_ioc.core.live.listener`) and
writes through one more connection; followers get a small
queue each, and a follower that falls behind loses the oldest views, which newer ones supersede.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from geo_ioc.core.db import conninfo
from geo_ioc.core.live import listener
from geo_ioc.walls.models import WallState

log = logging.getLogger(__name__)
CHANNEL = "geo_ioc_wall"
QUEUE_SIZE = 64
Message = dict[str, Any]

_TABLE = sql.Identifier(WallState._meta.db_table)
_SAVE = sql.SQL(
    "WITH saved AS ("
    " INSERT INTO {table} (wall, view, focus, updated_at, updated_by)"
    " VALUES (%(wall)s, %(view)s, %(focus)s, now(), %(by)s)"
    " ON CONFLICT (wall) DO UPDATE SET"
    "  view = CASE WHEN %(set_view)s THEN EXCLUDED.view ELSE {table}.view END,"
    "  focus = CASE WHEN %(set_focus)s THEN EXCLUDED.focus ELSE {table}.focus END,"
    "  updated_at = now(), updated_by = EXCLUDED.updated_by"
    ") SELECT pg_notify(%(channel)s, %(payload)s)"
).format(table=_TABLE)
_STATE = sql.SQL("SELECT view, focus, updated_by, updated_at FROM {table} WHERE wall = %s").format(
    table=_TABLE
)


@dataclass(eq=False)
class Follower:
    """One WebSocket following one wall; `origin` keeps its own messages from coming back."""

    wall: str
    origin: str
    queue: asyncio.Queue[Message] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def offer(self, message: Message) -> None:
        """Queue a message; when full, the oldest (superseded) one goes."""
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait(message)


class WallHub:
    """The process-wide listener and writer; bound to the event loop that first uses it."""

    def __init__(self) -> None:
        self.followers: set[Follower] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: psycopg.AsyncConnection[Any] | None = None
        self._write_lock: asyncio.Lock | None = None

    def _bind(self) -> None:
        """Bind to the running loop (tests run one loop per test); hear the wall channel."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._writer = None
            self._write_lock = asyncio.Lock()
        listener.on_notify(CHANNEL, self._heard)
        listener.start()

    def _heard(self, payload: str) -> None:
        """A notification, in the listener's thread: deliver it in the followers' loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._deliver, payload)

    async def join(self, wall: str, origin: str) -> Follower:
        """Follow a wall; returns once this process hears the wall's channel."""
        self._bind()
        follower = Follower(wall, origin)
        self.followers.add(follower)
        await asyncio.to_thread(listener.wait_listening, CHANNEL, 5.0)
        return follower

    def leave(self, follower: Follower) -> None:
        """Stop following."""
        self.followers.discard(follower)

    async def state(self, wall: str) -> Message | None:
        """The wall's newest view and focus, None when nobody has driven it yet."""
        row = await self._write(_STATE, [wall], fetch=True)
        if row is None:
            return None
        view, focus, by, at = row
        return {"view": view, "focus": focus, "by": by, "time": at.isoformat()}

    async def publish(
        self, message: Message, *, view: Message | None = None, focus: Message | None = None
    ) -> None:
        """Store the wall's new view or focus and notify every process, in one statement."""
        params = {
            "wall": message["wall"],
            "view": Jsonb(view) if view is not None else None,
            "focus": Jsonb(focus) if focus is not None else None,
            "set_view": message["type"] == "wall_view",
            "set_focus": message["type"] == "wall_focus",
            "by": message.get("by", ""),
            "channel": CHANNEL,
            "payload": json.dumps(message, ensure_ascii=False, separators=(",", ":")),
        }
        await self._write(_SAVE, params, fetch=False)

    async def _write(self, query: sql.Composed, params: Any, *, fetch: bool) -> Any:
        self._bind()
        assert self._write_lock is not None
        async with self._write_lock:
            for attempt in (1, 2):
                try:
                    if self._writer is None or self._writer.closed:
                        self._writer = await psycopg.AsyncConnection.connect(
                            conninfo(), autocommit=True
                        )
                    cur = await self._writer.execute(query, params)
                    return await cur.fetchone() if fetch else None
                except psycopg.OperationalError:
                    self._writer = None
                    if attempt == 2:
                        raise
        return None

    def _deliver(self, payload: str) -> None:
        try:
            message = json.loads(payload)
        except json.JSONDecodeError:
            log.warning("ignored a wall notification that is not JSON")
            return
        for follower in list(self.followers):
            if follower.wall == message.get("wall") and follower.origin != message.get("origin"):
                follower.offer(message)


HUB = WallHub()
