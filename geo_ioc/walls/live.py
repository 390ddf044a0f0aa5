"""The wall side of a live WebSocket: join, drive and follow a wall (protocol: layers.websocket)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
from asgiref.sync import sync_to_async
from django.db import connection

from geo_ioc.core.errors import NotAuthenticated, PermissionDenied, ServerError
from geo_ioc.core.roles import Role, user_roles
from geo_ioc.walls.layout import get_wall, screen_info
from geo_ioc.walls.schemas import Drive, Join, Leave, Point, parse_message
from geo_ioc.walls.sync import HUB, Follower

log = logging.getLogger(__name__)
Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]
DRIVERS = {Role.OPERATOR.value, Role.ADMIN.value}
# A console sends a view per animation step at most; faster messages are merged (the newest wins).
MIN_INTERVAL_S = 0.05


def _roles(user: Any) -> frozenset[str]:
    try:
        return user_roles(user)
    finally:
        connection.close()  # this thread belongs to one long-lived socket


class WallSession:
    """One socket's walls: at most one followed wall, any number driven."""

    def __init__(self, send: Send, user: Any) -> None:
        self.send = send
        self.user = user
        self.origin = uuid.uuid4().hex
        self.follower: Follower | None = None
        self.task: asyncio.Task[None] | None = None
        self._roles: frozenset[str] | None = None
        self._last_publish = 0.0
        self._pending: tuple[Message, Message] | None = None
        self._flush: asyncio.Task[None] | None = None

    async def handle(self, raw: object) -> None:
        """Act on one wall message (errors are ApiErrors, answered by the consumer)."""
        message = parse_message(raw)
        try:
            if isinstance(message, Join):
                await self._join(message)
            elif isinstance(message, Leave):
                wall = self.follower.wall if self.follower else message.wall
                await self._unfollow()
                await self.send({"type": "wall_left", "wall": wall})
            elif isinstance(message, Drive):
                await self._drive(message)
            elif isinstance(message, Point):
                await self._point(message)
        except psycopg.Error as exc:
            log.exception("wall message failed")
            raise ServerError(detail=str(exc)) from None

    async def close(self) -> None:
        """Stop following and drop anything not yet sent."""
        await self._unfollow()
        if self._flush is not None:
            self._flush.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flush
            self._flush = None

    async def _require_user(self) -> None:
        if self.user is None or not self.user.is_authenticated:
            raise NotAuthenticated("Following or driving a wall requires a login.")

    async def _require_driver(self) -> None:
        await self._require_user()
        if self._roles is None:
            self._roles = await sync_to_async(_roles)(self.user)
        if not self._roles & DRIVERS:
            raise PermissionDenied("Only operators and admins drive a wall.")

    async def _join(self, message: Join) -> None:
        await self._require_user()
        # 404 for an unknown wall or a screen it does not have (the layout file is cached).
        if message.screen is None:
            get_wall(message.wall)
        else:
            screen_info(message.wall, message.screen)
        await self._unfollow()
        self.follower = await HUB.join(message.wall, self.origin)
        state = await HUB.state(message.wall) or {"view": None, "focus": None}
        await self.send(
            {"type": "wall_joined", "wall": message.wall, "screen": message.screen, **state}
        )
        self.task = asyncio.create_task(self._forward(self.follower))

    async def _unfollow(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        if self.follower is not None:
            HUB.leave(self.follower)
            self.follower = None

    async def _forward(self, follower: Follower) -> None:
        while True:
            message = await follower.queue.get()
            await self.send({k: v for k, v in message.items() if k != "origin"})

    def _envelope(self, kind: str, wall: str) -> Message:
        return {
            "type": kind,
            "wall": wall,
            "by": self.user.get_username(),
            "origin": self.origin,
            "time": datetime.now(UTC).isoformat(),
        }

    async def _drive(self, message: Drive) -> None:
        await self._require_driver()
        get_wall(message.wall)
        view = message.view.model_dump(mode="json")
        out = {**self._envelope("wall_view", message.wall), "view": view}
        wait = self._last_publish + MIN_INTERVAL_S - time.monotonic()
        if wait <= 0 and self._flush is None:
            await self._publish(out, view)
            return
        self._pending = (out, view)
        if self._flush is None:
            self._flush = asyncio.create_task(self._publish_later(max(wait, 0.0)))

    async def _publish_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._flush = None
        if self._pending is not None:
            out, view = self._pending
            self._pending = None
            try:
                await self._publish(out, view)
            except Exception:  # a background task: nobody else would hear of it
                log.exception("could not publish a wall view")

    async def _publish(self, out: Message, view: Message) -> None:
        self._last_publish = time.monotonic()
        await HUB.publish(out, view=view)

    async def _point(self, message: Point) -> None:
        await self._require_driver()
        get_wall(message.wall)
        focus = message.focus.model_dump(mode="json")
        out = {**self._envelope("wall_focus", message.wall), "focus": focus}
        await HUB.publish(out, focus=focus)
