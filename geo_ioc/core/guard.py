"""ASGI guard in front of everything: body size and NUL bytes, refused before Django reads a byte.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE is checked only after the whole body has been received
(a 300 MB body is read, then refused). Here a declared `Content-Length` over the limit is answered
413 at once; a body without one (chunked) is counted as it streams and cut off at the limit.
NUL characters in the path or the query string never reach PostgreSQL (which cannot store
them in text): a JSON 400 for every handler at once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def body_limit(path: str) -> int:
    """The largest body accepted on `path`: uploads of layer files, or any other request."""
    if path.rstrip("/") == "/imports":
        return int(settings.GEO_IOC_MAX_UPLOAD_BYTES)
    return int(settings.GEO_IOC_MAX_BODY_BYTES)


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _has_nul(scope: Scope) -> bool:
    query = bytes(scope.get("query_string", b"")).lower()
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else -1
    return None


class TooLarge(Exception):
    """The streamed body passed the limit."""


def limit_requests(app: App) -> App:
    """Wrap an ASGI app with the size and NUL checks (HTTP only; WebSocket passes through)."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if _has_nul(scope):
            await _answer(send, 400, "invalid_parameter", "NUL characters are not allowed.")
            return
        limit = body_limit(scope.get("path", ""))
        declared = _declared_length(scope)
        if declared == -1:
            await _answer(send, 400, "bad_request", "Content-Length is not a number.")
            return
        if declared is not None and declared > limit:
            await _answer(send, 413, "payload_too_large", f"The body is larger than {limit} bytes.")
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge
            return message

        async def watched(message: Mapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, counted, watched)
        except TooLarge:
            if not started:
                await _answer(
                    send, 413, "payload_too_large", f"The body is larger than {limit} bytes."
                )

    return guarded
