"""One PostgreSQL listener per server process, fanning events out to its live clients.

The event log notifies each committed event's sequence number (see `events.record`); the hub
LISTENs once, fetches each notified event once and hands it to every subscriber of its layer.
Notifications arrive in commit order, so an event whose transaction committed late is still
delivered. A client that (re)connects first replays the log after its last sequence number, then
follows the hub; delivery is at least once, and `seq` lets a client drop a repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

from geo_ioc.core.db import conninfo
from geo_ioc.core.live.events import CHANNEL

log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 10_000  # per client; a client that falls this far behind is dropped
Message = dict[str, Any]


@dataclass(eq=False)
class Subscriber:
    """One live client: its layers and its queue of messages."""

    layers: set[str]
    queue: asyncio.Queue[Message | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


EVENT_COLUMNS = "seq, created_at, layer, operation, feature_id, actor, data"


def _message(row: tuple[Any, ...]) -> Message:
    """A wire message from an event row (the same shape as `events.message`)."""
    seq, created_at, layer, operation, feature_id, actor, data = row
    return {
        "seq": seq,
        "time": created_at.isoformat(),
        "layer": layer,
        "operation": operation,
        "id": feature_id,
        "actor": actor,
        "feature": data,
    }


async def _rows(conn: psycopg.AsyncConnection[Any], query: str, params: list[Any]) -> list[Message]:
    cur = await conn.execute(query, params)
    return [_message(row) for row in await cur.fetchall()]


class Hub:
    """The process-wide listener; started on first use in the server's event loop."""

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, layers: set[str]) -> Subscriber:
        """Register a client; make sure the listener runs."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen())
        sub = Subscriber(layers)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a client."""
        self.subscribers.discard(sub)

    def _publish(self, payload: Message) -> None:
        for sub in list(self.subscribers):
            if payload["layer"] not in sub.layers:
                continue
            try:
                sub.queue.put_nowait(payload)
            except asyncio.QueueFull:
                log.warning("live client fell %d messages behind; dropping it", QUEUE_SIZE)
                self.unsubscribe(sub)
                sub.queue = asyncio.Queue(1)
                sub.queue.put_nowait(None)  # tells the client's stream to end

    async def _listen(self) -> None:
        # Its own two connections: one listens, one fetches; no Django connection per client.
        while True:
            try:
                async with (
                    await psycopg.AsyncConnection.connect(conninfo(), autocommit=True) as listen,
                    await psycopg.AsyncConnection.connect(conninfo(), autocommit=True) as fetch,
                ):
                    await listen.execute(f"LISTEN {CHANNEL}")
                    async for note in listen.notifies():
                        query = f"SELECT {EVENT_COLUMNS} FROM core_event WHERE seq = %s"
                        for payload in await _rows(fetch, query, [int(note.payload)]):
                            self._publish(payload)
            except (psycopg.OperationalError, OSError):
                # Clients replay from the log when they reconnect; the hub just comes back.
                log.exception("event listener lost its connection; retrying")
                await asyncio.sleep(1.0)


HUB = Hub()


async def replay(layers: set[str], last: int) -> AsyncIterator[Message]:
    """Events on `layers` after `last` from the log, oldest first, in pages."""
    query = (
        f"SELECT {EVENT_COLUMNS} FROM core_event"
        " WHERE seq > %s AND layer = ANY(%s) ORDER BY seq LIMIT 500"
    )
    async with await psycopg.AsyncConnection.connect(conninfo(), autocommit=True) as conn:
        while page := await _rows(conn, query, [last, sorted(layers)]):
            for payload in page:
                last = payload["seq"]
                yield payload


async def follow(layers: set[str], last: int) -> AsyncIterator[Message | None]:
    """Events on `layers` after sequence number `last`: replayed, then live.

    Yields None when nothing happened for a while (a keep-alive for the transport).
    """
    sub = HUB.subscribe(layers)
    try:
        async for payload in replay(layers, last):
            last = payload["seq"]
            yield payload
        while True:
            try:
                queued = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield None
                continue
            if queued is None:
                return
            if queued["seq"] > last:
                last = queued["seq"]
                yield queued
    finally:
        HUB.unsubscribe(sub)
