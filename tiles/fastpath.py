"""An ASGI fast path in front of Django for anonymous tiles of public layers.

`GET /tiles/{layers}/{z}/{x}/{y}.mvt` without credentials (no Authorization header, no session
cookie) whose layers are all in the in-memory catalogue and public is answered here: from the
process's tile cache, or rendered in a tile thread (`tiles.threads`) on a miss or when the cache
is off (then gzipped there only for a client that accepts it). Both go through
the view's own functions (`tiles.serving`) and the request and response halves of the
middlewares that act on such a request (Security, Common: allowed host, redirects, Content-Length,
security headers; ours: CSP and X-Frame-Options), so the bytes are the view's. Anything
else — a bad address (Django's JSON 400), a layer that needs the database to look up or is not
public, credentials, HEAD — falls through to Django unchanged. Nothing here blocks the event
loop on the database.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.http import HttpResponse, HttpResponseBase
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware

from geo_ioc.core.errors import ApiError
from geo_ioc.core.headers import add_headers
from tiles import catalogue, serving, threads
from tiles.bodies import CachedTile
from tiles.cache import current_cache
from tiles.catalogue import TileLayer
from tiles.http import accepts_gzip
from tiles.tms import Tile, parse_layer_list, parse_tile

log = logging.getLogger(__name__)
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
# Stricter than the URL pattern: anything unusual is left to the view and its JSON errors.
_PATH = re.compile(r"/tiles/([A-Za-z0-9_,-]+)/(\d{1,2})/(\d{1,8})/(\d{1,8})\.mvt")
ANONYMOUS = AnonymousUser()


def _unused(request: Any) -> HttpResponse:
    raise AssertionError("only the request and response halves of these middlewares are used")


class TileFastPath:
    """ASGI app: answers what it can (see the module docstring), hands the rest to Django."""

    def __init__(self, django: ASGIHandler) -> None:
        self.django = django
        self.security = SecurityMiddleware(_unused)
        self.common = CommonMiddleware(_unused)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the tile, or let Django answer the request."""
        response = None
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _PATH.fullmatch(scope["path"])
            if match is not None and not scope.get("root_path"):
                response = await self._answer(scope, *match.groups())
        if response is None:
            await self.django(scope, receive, send)
            return
        await self.django.send_response(response, send)

    async def _answer(
        self, scope: Scope, layers: str, z: str, x: str, y: str
    ) -> HttpResponseBase | None:
        request = ASGIRequest(scope, io.BytesIO())
        try:
            if self.security.process_request(request) or self.common.process_request(request):
                return None  # a redirect: Django's answer
        except (SuspiciousOperation, PermissionDenied):  # bad host, refused agent: Django's error
            return None
        if "Authorization" in request.headers or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        try:
            tile, slugs = parse_tile(z, x, y), parse_layer_list(layers)
        except ApiError:
            return None
        entries = [catalogue.peek(slug) for slug in slugs]
        public = [e for e in entries if e is not None and catalogue.is_public(e)]
        if len(public) != len(slugs):
            return None
        cached = await self._tile(public, tile, accepts_gzip(request))
        if cached is None:
            return None
        response = serving.tile_reply(request, ANONYMOUS, public, *cached)
        # Common only adds Content-Length here (its redirects are for 404s).
        response = cast(HttpResponse, self.common.process_response(request, response))
        response = add_headers(request, response)  # in the chain's order: between the two
        return self.security.process_response(request, response)

    @staticmethod
    async def _tile(
        entries: list[TileLayer], tile: Tile, gzip: bool
    ) -> tuple[CachedTile, bool] | None:
        """The cached tile (read in the loop when the store is in memory), else rendered.

        A tile in the in-process cache holds both encodings, so a hit is no work here.
        """
        cache = current_cache()
        if cache is not None and cache.store.in_process:
            hit = cache.get(serving.cache_prefix(ANONYMOUS, entries), tile)
            if hit is not None:
                return hit, True
        try:
            return await threads.run(serving.cached_tile, ANONYMOUS, entries, tile, gzip=gzip)
        except Exception:
            # The view renders it again and answers as always (a logged, generic JSON 500).
            log.debug("fast path render of %s failed; left to the view", tile, exc_info=True)
            return None


def with_fast_path(django: ASGIHandler) -> TileFastPath | ASGIHandler:
    """Django behind the tile fast path, unless GEO_IOC_TILE_FASTPATH is off."""
    return TileFastPath(django) if settings.GEO_IOC_TILE_FASTPATH else django
