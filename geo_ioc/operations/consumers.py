"""WebSocket at `/ws/live`: subscribe to layers, receive their events (replayed, then live).

Protocol (JSON text frames):
  client → {"subscribe": ["incidents", …], "last_seq": 123}   (last_seq optional: newest)
  server → {"type": "subscribed", "layers": [...], "last_seq": N}
  server → {"type": "event", "seq", "time", "layer", "operation", "id", "actor", "feature"}
  server → {"type": "error", "code", "message"}
A new subscribe message replaces the previous subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from geo_ioc.api.errors import ApiError, InvalidParameter
from geo_ioc.operations.hub import follow
from geo_ioc.operations.live import layers_for, newest_seq


class LiveConsumer(AsyncWebsocketConsumer):
    """One live client over WebSocket."""

    task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Accept; the user comes from the session or the token (see `ws_auth`)."""
        await self.accept()

    async def disconnect(self, code: int) -> None:
        """Stop following."""
        await self._stop()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Handle a subscribe message."""
        try:
            request = json.loads(text_data or "")
            requested = request.get("subscribe") if isinstance(request, dict) else None
            if not isinstance(requested, list) or not all(isinstance(s, str) for s in requested):
                raise InvalidParameter('Send {"subscribe": ["layer", …], "last_seq": N}.')
            last = request.get("last_seq")
            if last is not None and (not isinstance(last, int) or last < 0):
                raise InvalidParameter("last_seq must be a non-negative integer.")
            user = self.scope.get("user")
            layers = await sync_to_async(layers_for)(user, requested)
            start = last if last is not None else await sync_to_async(newest_seq)()
        except json.JSONDecodeError:
            await self._send({"type": "error", "code": "invalid_json", "message": "Not JSON."})
            return
        except ApiError as exc:
            await self._send({"type": "error", **exc.as_dict()})
            return
        await self._stop()
        await self._send({"type": "subscribed", "layers": sorted(layers), "last_seq": start})
        self.task = asyncio.create_task(self._forward(layers, start))

    async def _forward(self, layers: set[str], last: int) -> None:
        async for payload in follow(layers, last):
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
