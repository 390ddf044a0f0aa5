"""WhiteNoise for an async middleware chain (WhiteNoise 6 is sync-only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import iscoroutinefunction, markcoroutinefunction
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]
    """WhiteNoise's static files, sync and async capable.

    A sync-only middleware makes Django run the whole chain in one thread per request, held until
    the response is done, so an async view (the tiles) would gain nothing.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self, get_response: Callable[[HttpRequest], Any], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(get_response, *args, **kwargs)
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """WhiteNoise's own (sync) handling, or the async one in an async chain."""
        if self.async_mode:
            return self.__acall__(request)
        return cast(HttpResponse, super().__call__(request))

    def _may_serve(self, path: str) -> bool:
        prefixes = [prefix for _, prefix in self.directories]
        if self.use_finders:
            prefixes.append(self.static_prefix)
        return any(path.startswith(prefix) for prefix in prefixes)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        """Serve a static file from a worker thread (it reads the disk); pass the rest on."""
        path = request.path_info
        static_file = None
        if not self.autorefresh:
            static_file = self.files.get(path)
        elif self._may_serve(path):
            # Autorefresh looks the file up on disk: not in the event loop.
            static_file = await sync_to_async(self.find_file, thread_sensitive=False)(path)
        if static_file is not None:
            serve = sync_to_async(self.serve, thread_sensitive=False)
            return cast(HttpResponse, await serve(static_file, request))
        return await cast("Awaitable[HttpResponse]", self.get_response(request))
