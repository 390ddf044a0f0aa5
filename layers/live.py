"""Server-Sent Events at `/live/events`: replay from `Last-Event-ID`, then follow live.

The stream replays the event log after the client's last sequence number, then follows the
process's hub (`hub.py`). The log is the single source, so a client that reconnects with
`Last-Event-ID` misses nothing, whichever server process it reaches.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from geo_ioc.core import stream_auth
from geo_ioc.core.errors import ApiError, error_response
from geo_ioc.core.inputs import parse_int
from geo_ioc.core.live.events import newest_seq as _newest
from geo_ioc.core.live.hub import Hidden, follow, guard
from layers.access import User, get_visible_layer, hidden_by_layer, visible_layers


def layers_for(user: User, requested: list[str]) -> set[str]:
    """The requested layers (each must be visible: 404/401/403), or all the user may see."""
    try:
        if requested:
            return {get_visible_layer(user, slug).slug for slug in requested}
        return {layer.slug for layer in visible_layers(user)}
    finally:
        # Called from a long-lived stream's own thread: do not keep a connection per client.
        connection.close()


def hidden_for(user: User, layers: set[str]) -> Hidden:
    """The fields of each followed layer this user may not see (per subscriber)."""
    try:
        return hidden_by_layer(user, layers)
    finally:
        connection.close()


def newest_seq() -> int:
    """The sequence number of the newest event (0 when the log is empty)."""
    try:
        return _newest()
    finally:
        connection.close()


def _last_seq(request: HttpRequest) -> int:
    """Where to resume: the `Last-Event-ID` header, `?last_event_id=`, or the newest event."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if raw is None:
        return newest_seq()
    return parse_int(raw, "Last-Event-ID")


def _frame(payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"id: {payload['seq']}\nevent: {payload['layer']}\ndata: {data}\n\n".encode()


REVOKED = (
    b'event: error\ndata: {"code":"not_authenticated","message":"The session or token ended."}\n\n'
)


async def _stream(
    layers: set[str], last: int, hidden: Hidden, credential: stream_auth.Credential
) -> AsyncIterator[bytes]:
    """The frames; the stream ends once its credential no longer holds."""
    yield b"retry: 2000\n\n"
    events = aiter(follow(layers, last, hidden))
    ended: asyncio.Task[None] | None = None
    if not credential.anonymous:
        ended = asyncio.create_task(guard(sync_to_async(credential.holds, thread_sensitive=False)))
    try:
        while True:
            step = asyncio.ensure_future(anext(events))
            waiting: set[asyncio.Future[Any]] = {step, ended} if ended else {step}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if not step.done():
                step.cancel()
                yield REVOKED
                return
            try:
                payload = step.result()
            except StopAsyncIteration:
                return
            yield b": keep-alive\n\n" if payload is None else _frame(payload)
    finally:
        if ended is not None:
            ended.cancel()
        close = getattr(events, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()


async def events(request: HttpRequest) -> HttpResponseBase:
    """SSE stream of layer events (`?layers=incidents,…`), resumable with `Last-Event-ID`."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    requested = [s for s in request.GET.get("layers", "").split(",") if s]
    try:
        layers = await sync_to_async(layers_for)(request.user, requested)
        hidden = await sync_to_async(hidden_for)(request.user, layers)
        last = await sync_to_async(_last_seq)(request)
        credential = await sync_to_async(stream_auth.of_request)(request)
    except ApiError as exc:
        return error_response(exc)
    response = StreamingHttpResponse(
        _stream(layers, last, hidden, credential), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response
