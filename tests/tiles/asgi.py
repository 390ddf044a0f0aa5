"""One GET through an ASGI application, as a server would make it, for the tile path's tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Answer = tuple[int, list[tuple[str, str]], bytes]


def call(
    app: Any,
    path: str,
    headers: dict[str, str] | None = None,
    on_send: Callable[[dict[str, Any]], None] | None = None,
) -> Answer:
    """Status, headers (lower-cased names, in order) and body; `on_send` sees each message."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (k.lower().encode(), v.encode())
            for k, v in {"Host": "127.0.0.1", **(headers or {})}.items()
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if requested:  # Django listens for the disconnect once it has the body
            await asyncio.sleep(3600)
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if on_send:
            on_send(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    out = [(k.decode().lower(), v.decode("latin1")) for k, v in start["headers"]]
    return start["status"], out, b"".join(m.get("body", b"") for m in sent[1:])
