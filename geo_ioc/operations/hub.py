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
from asgiref.sync import sync_to_async
from django.conf import settings

from geo_ioc.operations.events import CHANNEL, message
from geo_ioc.operations.models import Event
from geo_ioc.operations.queries import events_after

log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 10_000  # per client; a client that falls this far behind is dropped
Message = dict[str, Any]


def conninfo() -> str:
    """A libpq connection string for the default database."""
    db = settings.DATABASES["default"]
    parts = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v})


@dataclass(eq=False)
class Subscriber:
    """One live client: its layers and its queue of messages."""

    layers: set[str]
    queue: asyncio.Queue[Message | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


def _fetch(seqs: list[int]) -> list[Event]:
    return list(Event.objects.filter(seq__in=seqs).order_by("seq"))


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

    def _publish(self, event: Event) -> None:
        payload = message(event)
        for sub in list(self.subscribers):
            if event.layer not in sub.layers:
                continue
            try:
                sub.queue.put_nowait(payload)
            except asyncio.QueueFull:
                log.warning("live client fell %d messages behind; dropping it", QUEUE_SIZE)
                self.unsubscribe(sub)
                sub.queue = asyncio.Queue(1)
                sub.queue.put_nowait(None)  # tells the client's stream to end

    async def _listen(self) -> None:
        fetch = sync_to_async(_fetch)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    conninfo(), autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    async for note in conn.notifies():
                        for event in await fetch([int(note.payload)]):
                            self._publish(event)
            except (psycopg.OperationalError, OSError):
                # Clients replay from the log when they reconnect; the hub just comes back.
                log.exception("event listener lost its connection; retrying")
                await asyncio.sleep(1.0)


HUB = Hub()


async def follow(layers: set[str], last: int) -> AsyncIterator[Message | None]:
    """Events on `layers` after sequence number `last`: replayed, then live.

    Yields None when nothing happened for a while (a keep-alive for the transport).
    """
    sub = HUB.subscribe(layers)
    read = sync_to_async(events_after)
    try:
        while batch := await read(last, layers):
            for event in batch:
                last = event.seq
                yield message(event)
        while True:
            try:
                payload = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield None
                continue
            if payload is None:
                return
            if payload["seq"] > last:
                last = payload["seq"]
                yield payload
    finally:
        HUB.unsubscribe(sub)
