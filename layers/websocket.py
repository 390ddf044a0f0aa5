"""WebSocket at `/ws/live`: layer events, and the synchronisation of video walls.

Protocol (JSON text frames).

Layer events — subscribe, receive their events (replayed from the log, then live):
  client → {"subscribe": ["incidents", …], "last_seq": 123}   (last_seq optional: newest)
  server → {"type": "subscribed", "layers": [...], "last_seq": N}
  server → {"type": "event", "seq", "time", "layer", "operation", "id", "actor", "feature"}
A new subscribe message replaces the previous subscription.

Apps add their own message types (`geo_ioc.core.live.sockets`); the walls (`geo_ioc.walls`) add
`wall_*` — a screen joins a wall, a console drives it. Views are relayed to every other client
of the same wall, on any server process, through PostgreSQL NOTIFY (not the event log: a pan is
stale a second later and never replayed); the newest view and focus of each wall are stored, so
a joining screen starts where the wall is.
  client → {"type": "wall_join", "wall": "main", "screen": 4}          (any logged-in user)
  server → {"type": "wall_joined", "wall", "screen", "view": {…} | null, "focus": {…} | null,
            "by", "time"}                                                (the wall's last state)
  client → {"type": "wall_view", "wall": "main",
            "view": {"center": [lon, lat], "zoom": z, "bearing": b, "pitch": p}}
                                                                (operators and admins; ≤ 20/s,
                                                                 faster views merge, newest wins)
  client → {"type": "wall_focus", "wall": "main",
            "focus": {"lon", "lat", "zoom"?, "incident"?, "label"?}}   (operators and admins)
  server → {"type": "wall_view" | "wall_focus", "wall", "view" | "focus", "by", "time"}
            (to the other clients that joined the wall; never echoed to the sender)
  client → {"type": "wall_leave"}                   server → {"type": "wall_left", "wall"}
A socket follows one wall at a time (a new join replaces the old) and may follow layers too.

Errors, for either part:
  server → {"type": "error", "code", "message", "field"?}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from geo_ioc.core import inputs, stream_auth
from geo_ioc.core.errors import ApiError, InvalidParameter
from geo_ioc.core.live import sockets
from geo_ioc.core.live.hub import Hidden, follow, guard
from geo_ioc.core.ws_auth import SUBPROTOCOL
from layers.live import hidden_for, layers_for, newest_seq

# Close code when the session or token the socket was opened with has ended (4000–4999: ours).
CLOSE_REVOKED = 4401


class LiveConsumer(AsyncWebsocketConsumer):
    """One live client over WebSocket."""

    task: asyncio.Task[None] | None = None
    watch: asyncio.Task[None] | None = None
    sessions: dict[str, sockets.Session]

    async def connect(self) -> None:
        """Accept; the user comes from the session or the token (see `ws_auth`).

        A client that offers the `geo-ioc` subprotocol (with its token as `token.<key>`) gets
        it back; the credential is then watched for as long as the socket is open.
        """
        self.sessions = {}
        offered = self.scope.get("subprotocols", [])
        await self.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        credential = stream_auth.of_scope(self.scope)
        if not credential.anonymous:
            self.watch = asyncio.create_task(self._watch(credential))

    async def _watch(self, credential: stream_auth.Credential) -> None:
        await guard(sync_to_async(credential.holds, thread_sensitive=False))
        await self._send(
            {"type": "error", "code": "not_authenticated", "message": "The session or token ended."}
        )
        await self.close(code=CLOSE_REVOKED)

    async def disconnect(self, code: int) -> None:
        """Stop following layers and the apps' sessions (walls)."""
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()
        await self._stop()
        for session in self.sessions.values():
            await session.close()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Handle a subscribe message or a wall message."""
        try:
            request = inputs.loads(text_data or "", max_bytes=64_000, max_depth=8)
        except ValueError as exc:
            await self._send(
                {"type": "error", "code": "invalid_json", "message": f"Not JSON: {exc}."}
            )
            return
        found = (
            sockets.factory_for(str(request.get("type", ""))) if isinstance(request, dict) else None
        )
        if found is None:
            await self._subscribe(request)
            return
        prefix, factory = found
        if prefix not in self.sessions:
            self.sessions[prefix] = factory(self._send, self.scope.get("user"))
        try:
            await self.sessions[prefix].handle(request)
        except ApiError as exc:
            await self._send({"type": "error", **exc.as_dict()})

    async def _subscribe(self, request: Any) -> None:
        try:
            requested = request.get("subscribe") if isinstance(request, dict) else None
            if not isinstance(requested, list) or not all(isinstance(s, str) for s in requested):
                raise InvalidParameter('Send {"subscribe": ["layer", …], "last_seq": N}.')
            last = request.get("last_seq")
            if last is not None and (not isinstance(last, int) or last < 0):
                raise InvalidParameter("last_seq must be a non-negative integer.")
            user = self.scope.get("user")
            layers = await sync_to_async(layers_for)(user, requested)
            hidden = await sync_to_async(hidden_for)(user, layers)
            start = last if last is not None else await sync_to_async(newest_seq)()
        except ApiError as exc:
            await self._send({"type": "error", **exc.as_dict()})
            return
        await self._stop()
        await self._send({"type": "subscribed", "layers": sorted(layers), "last_seq": start})
        self.task = asyncio.create_task(self._forward(layers, start, hidden))

    async def _forward(self, layers: set[str], last: int, hidden: Hidden) -> None:
        async for payload in follow(layers, last, hidden):
            if payload is not None:
                await self._send({"type": "event", **payload})

    async def _stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def _send(self, body: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(body, ensure_ascii=False))
