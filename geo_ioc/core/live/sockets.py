"""What a live WebSocket speaks besides layer events, contributed by the apps.

The socket at `/ws/live` follows layers itself; a message whose `type` starts with a registered
prefix (the walls: `wall_`) goes to that app's session, one per socket, made on first use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Session(Protocol):
    """One socket's conversation with one app."""

    async def handle(self, raw: object) -> None:
        """Act on one message (errors are ApiErrors, answered as error frames)."""

    async def close(self) -> None:
        """The socket closed."""


SessionFactory = Callable[[Send, Any], Session]
_sessions: dict[str, SessionFactory] = {}


def register(prefix: str, factory: SessionFactory) -> None:
    """Send messages whose type starts with `prefix` to a session made by `factory(send, user)`."""
    _sessions[prefix] = factory


def factory_for(message_type: str) -> tuple[str, SessionFactory] | None:
    """The registered prefix and factory for a message type, if any."""
    for prefix, factory in _sessions.items():
        if message_type.startswith(prefix):
            return prefix, factory
    return None
