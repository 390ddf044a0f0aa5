"""The base of this project's middlewares: one class for sync and async chains alike.

A single sync-only middleware makes Django run the whole chain, and every view, in one thread
per request that is held until the response is done; then an async view (the tiles) gains
nothing. Django's own `MiddlewareMixin` would serve too, but it calls sync hooks through
`sync_to_async` on every request: a thread hop each, where these middlewares need none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import iscoroutinefunction, markcoroutinefunction

from django.http import HttpRequest, HttpResponse

GetResponse = Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]


class HybridMiddleware:
    """Keeps `get_response` and knows whether the chain around it is async."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """Handle the request (subclasses: the sync path, or `__acall__` in async mode)."""
        raise NotImplementedError
