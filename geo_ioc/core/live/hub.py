"""Fan-out of the event log to this process's live clients (WebSocket, SSE).

The hub is one subscriber of the process's listener (`listener.py`): woken in the listener's
thread, it reads the log after its cursor, turns entries into wire messages and hands them to
the event loop, where each client has a queue. A client that (re)connects first replays the log
after its last position, then follows the hub; `seq` is the position in commit order, so the
replay is exact and the overlap with live messages is dropped by position.

Messages: a domain's message about a feature as it wrote it (`feature`), or, for a change that
no domain described (a write from psql, an import, another program), a bare change with the
feature ids and the bounding box, once per layer the changed table feeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from geo_ioc.core.live import listener
from geo_ioc.core.live.events import PAGE, Entry, newest_seq, read_after

log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 10_000  # per client; a client that falls this far behind is dropped
Message = dict[str, Any]
# Fields each subscriber may not see, by layer (`layers.access.hidden_fields`).
Hidden = Mapping[str, frozenset[str]]
AUTH_LAYER = "_auth"  # see geo_ioc.core.stream_auth: credentials changed somewhere
RECHECK: Message = {"seq": -1, "layer": AUTH_LAYER}
# Which layers a change to a table feeds, and its bounding box in lon/lat (given by `layers`).
Resolver = Callable[[Entry], tuple[set[str], list[float] | None]]


def _no_layers(entry: Entry) -> tuple[set[str], list[float] | None]:
    return set(), None


_resolver: list[Resolver] = [_no_layers]


def set_resolver(resolver: Resolver) -> None:
    """Install how changes map to layers (the layer catalogue does, at start-up)."""
    _resolver[0] = resolver


def _message(entry: Entry) -> Message:
    return {
        "seq": entry.seq,
        "time": entry.time.isoformat(),
        "layer": entry.layer,
        "operation": entry.operation,
        "id": entry.feature_id,
        "actor": entry.actor,
        "feature": entry.data,
    }


def messages(entries: Iterable[Entry]) -> list[Message]:
    """Wire messages of committed entries, a transaction at a time.

    A change to a layer that the same transaction also described in a domain message is not
    sent twice: the message says more.
    """
    out: list[Message] = []
    for _, group in itertools.groupby(entries, key=lambda e: e.xid):
        rows = list(group)
        described = {e.layer for e in rows if not e.is_change}
        for entry in rows:
            if not entry.is_change:
                out.append(_message(entry))
                continue
            layers, bbox = _resolver[0](entry)
            ids = list(entry.feature_ids) if entry.feature_ids is not None else None
            only = int(ids[0]) if ids and len(ids) == 1 and ids[0].isdigit() else None
            for layer in sorted(layers - described):
                change = {"layer": layer, "id": only, "ids": ids, "bbox": bbox, "feature": None}
                out.append({**_message(entry), **change})
    return out


@dataclass(eq=False)
class Subscriber:
    """One live client: its layers and its queue of messages."""

    layers: set[str]
    queue: asyncio.Queue[Message | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop)


class Hub:
    """The process's fan-out; its reading runs in the listener's thread."""

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self._cursor: int | None = None
        self._lock = threading.Lock()

    def subscribe(self, layers: set[str]) -> Subscriber:
        """Register a client (in its event loop); make sure the listener runs."""
        sub = Subscriber(layers)
        with self._lock:
            self.subscribers.add(sub)
        listener.subscribe(self.wake)
        listener.start()
        return sub

    def prime(self) -> None:
        """Fix where live reading starts before a client replays (in a worker thread)."""
        with self._lock:
            if self._cursor is None:
                try:
                    self._cursor = newest_seq()
                finally:
                    connection.close()

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a client."""
        with self._lock:
            self.subscribers.discard(sub)

    def wake(self) -> None:
        """Read what committed since the last wake and hand it to the clients' loops."""
        if self._cursor is None:
            self.prime()
        assert self._cursor is not None
        while entries := read_after(self._cursor):
            self._cursor = entries[-1].seq
            batch = messages(entries)
            with self._lock:
                subs = list(self.subscribers)
            auth = any(m["layer"] == AUTH_LAYER for m in batch)
            for sub in subs:
                wanted = [m for m in batch if m["layer"] in sub.layers]
                if auth:
                    wanted.append(RECHECK)
                if wanted and not sub.loop.is_closed():
                    sub.loop.call_soon_threadsafe(self._offer, sub, wanted)

    def _offer(self, sub: Subscriber, batch: list[Message]) -> None:
        for payload in batch:
            try:
                sub.queue.put_nowait(payload)
            except asyncio.QueueFull:
                log.warning("live client fell %d messages behind; dropping it", QUEUE_SIZE)
                self.unsubscribe(sub)
                sub.queue = asyncio.Queue(1)
                sub.queue.put_nowait(None)  # tells the client's stream to end
                return


HUB = Hub()


def _replay_page(layers: set[str], last: int) -> tuple[list[Message], int]:
    """One page of the log after `last`: the messages on `layers`, and where the page ended."""
    try:
        entries = read_after(last, PAGE)
        if not entries:
            return [], last
        return [m for m in messages(entries) if m["layer"] in layers], entries[-1].seq
    finally:
        connection.close()  # called in a worker thread: keep no connection per client


async def replay(layers: set[str], last: int) -> AsyncIterator[Message]:
    """Messages on `layers` after position `last` from the log, oldest first."""
    while True:
        page, end = await sync_to_async(_replay_page, thread_sensitive=False)(layers, last)
        if end == last:
            return
        last = end
        for payload in page:
            yield payload


def _newer(payload: Message, last: tuple[int, set[str]]) -> bool:
    """Whether a message comes after the last one sent (one change may feed several layers)."""
    seq, layers_at_seq = last
    return payload["seq"] > seq or (payload["seq"] == seq and payload["layer"] not in layers_at_seq)


def redact(payload: Message, hidden: Hidden | None) -> Message:
    """A message without the feature properties its subscriber may not see (a copy)."""
    names = hidden.get(payload["layer"]) if hidden else None
    feature = payload.get("feature")
    if not names or not isinstance(feature, dict):
        return payload
    props = feature.get("properties")
    if isinstance(props, dict):
        feature = {**feature, "properties": {k: v for k, v in props.items() if k not in names}}
    else:  # a flat message body
        feature = {k: v for k, v in feature.items() if k not in names}
    return {**payload, "feature": feature}


async def guard(allowed: Callable[[], Awaitable[bool]]) -> None:
    """Return once `allowed()` is false.

    It is asked every GEO_IOC_STREAM_RECHECK_SECONDS, and at once when the log carries a
    credential change (`_auth`).
    """
    every = float(settings.GEO_IOC_STREAM_RECHECK_SECONDS)
    sub = HUB.subscribe(set())
    try:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sub.queue.get(), every)
            if not await allowed():
                return
    finally:
        HUB.unsubscribe(sub)


async def follow(
    layers: set[str], last: int, hidden: Hidden | None = None
) -> AsyncIterator[Message | None]:
    """Messages on `layers` after position `last`: replayed, then live, without `hidden` fields.

    Yields None when nothing happened for a while (a keep-alive for the transport).
    """
    await sync_to_async(HUB.prime, thread_sensitive=False)()
    sub = HUB.subscribe(layers)
    sent: tuple[int, set[str]] = (last, set(layers))
    try:
        async for payload in replay(layers, last):
            if _newer(payload, sent):
                sent = _advance(sent, payload)
                yield redact(payload, hidden)
        while True:
            try:
                queued = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield None
                continue
            if queued is None:
                return
            if _newer(queued, sent):
                sent = _advance(sent, queued)
                yield redact(queued, hidden)
    finally:
        HUB.unsubscribe(sub)


def _advance(sent: tuple[int, set[str]], payload: Message) -> tuple[int, set[str]]:
    if payload["seq"] == sent[0]:
        return sent[0], sent[1] | {payload["layer"]}
    return payload["seq"], {payload["layer"]}
