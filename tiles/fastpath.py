"""An ASGI fast path in front of Django for anonymous tiles of public layers.

`GET /tiles/{layers}/{z}/{x}/{y}.mvt` without credentials (no Authorization header, no session
cookie) whose layers are all in the in-memory catalogue and public is answered here, as raw ASGI
messages: from the process's tile cache (a hit is a dictionary lookup and two `send`s, either
encoding), or rendered in a tile thread (`tiles.threads`) on a miss or when the cache is off
(then gzipped there only for a client that accepts it). The answer is the view's, byte for
byte and header for header: the tile's own headers are those of `tiles.serving`, and the ones
the middlewares add (Security, Common, ours: CSP and X-Frame-Options) are taken from those
middlewares once per kind of request — scheme, host and forwarded headers — after their request
halves have let it through (a refused host or a redirect goes to Django, which answers it).
Anything else — a bad address (Django's JSON 400), a layer that needs the database to look up or
is not public, credentials, a query string or a body, HEAD — falls through to Django unchanged.
Nothing here blocks the event loop on the database.
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
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware

from geo_ioc.core.errors import ApiError
from geo_ioc.core.headers import add_headers
from tiles import catalogue, serving, threads
from tiles.bodies import CachedTile
from tiles.cache import current_cache
from tiles.catalogue import TileLayer
from tiles.http import BUDGET_HEADER, MVT_TYPE, etag_for, gzip_accepted, tag_matches
from tiles.queries import budget_note
from tiles.tms import Tile, parse_layer_list, parse_tile

log = logging.getLogger(__name__)
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]
# Work left after the answer is sent (caching a miss).
Later = Callable[[], Awaitable[None]]
# Stricter than the URL pattern: anything unusual is left to the view and its JSON errors.
_PATH = re.compile(r"/tiles/([A-Za-z0-9_,-]+)/(\d{1,2})/(\d{1,8})/(\d{1,8})\.mvt")
ANONYMOUS = AnonymousUser()
# Request headers the tile answer reads, and those the middlewares' request halves read (the
# gate's key: host checks, HTTPS detection, redirects).
_READ = {b"authorization", b"cookie", b"accept-encoding", b"if-none-match"}
_GATE = (b"host", b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-port", b"user-agent")
# Bounds on what is remembered per process (beyond them the answer is still right, only slower).
MAX_GATES = 256
MAX_LAYER_SETS = 1024
# Empty and unchanged answers are Django's bodiless HttpResponse: its default type, no bytes.
_BODILESS = [(b"Content-Type", b"text/html; charset=utf-8")]
_OWN = {"content-type", "content-length"}


def _unused(request: Any) -> HttpResponse:
    raise AssertionError("only the request and response halves of these middlewares are used")


class _LayerSet:
    """What the answer needs about a layer list, while its catalogue entries are current."""

    __slots__ = ("cache_control", "entries", "prefix")

    def __init__(self, entries: list[TileLayer]) -> None:
        self.entries = entries
        self.prefix = serving.cache_prefix(ANONYMOUS, entries)
        self.cache_control = serving.cache_control(ANONYMOUS, entries).encode()

    def current(self) -> bool:
        """Every entry is still the catalogue's (a reload or a change makes new ones)."""
        return all(catalogue.peek(e.slug) is e for e in self.entries)


class TileFastPath:
    """ASGI app: answers what it can (see the module docstring), hands the rest to Django."""

    def __init__(self, django: ASGIHandler) -> None:
        self.django = django
        self.security = SecurityMiddleware(_unused)
        self.common = CommonMiddleware(_unused)
        self._gates: dict[tuple[Any, ...], Headers | None] = {}
        self._sets: dict[str, _LayerSet] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the tile, or let Django answer the request."""
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            match = _PATH.fullmatch(scope["path"])
            if match is not None:
                answer = await self._answer(scope, *match.groups())
                if answer is not None:
                    status, headers, body, then = answer
                    await send(
                        {"type": "http.response.start", "status": status, "headers": headers}
                    )
                    await send({"type": "http.response.body", "body": body})
                    if then is not None:
                        await then()
                    return
        await self.django(scope, receive, send)

    async def _answer(
        self, scope: Scope, layers: str, z: str, x: str, y: str
    ) -> tuple[int, Headers, bytes, Later | None] | None:
        read: dict[bytes, str] = {}
        gate: list[bytes | None] = [None] * len(_GATE)
        for name, value in scope["headers"]:
            if name in _READ:
                text = value.decode("latin-1")
                read[name] = f"{read[name]},{text}" if name in read else text
            elif name in _GATE:
                gate[_GATE.index(name)] = value
        if b"authorization" in read:
            return None
        if b"cookie" in read and settings.SESSION_COOKIE_NAME in parse_cookie(read[b"cookie"]):
            return None
        extra = self._gate(scope, gate)
        if extra is None:
            return None
        found = self._layer_set(layers)
        if found is None:
            return None
        try:
            tile = parse_tile(z, x, y)
        except ApiError:
            return None
        gzip = gzip_accepted(read.get(b"accept-encoding", ""))
        cached = await self._tile(found, tile, gzip)
        if cached is None:
            return None
        answer, hit, then = cached
        return (*_reply(found, answer, hit, gzip, read.get(b"if-none-match", ""), extra), then)

    def _gate(self, scope: Scope, gate: list[bytes | None]) -> Headers | None:
        """The middlewares' headers for this kind of request; None when Django must answer."""
        if not settings.DISALLOWED_USER_AGENTS:
            gate[-1] = None
        key = (scope.get("scheme"), scope.get("server"), *gate)
        try:
            return self._gates[key]
        except KeyError:
            pass
        extra = self._middleware_headers(scope)
        if len(self._gates) < MAX_GATES:
            self._gates[key] = extra
        return extra

    def _middleware_headers(self, scope: Scope) -> Headers | None:
        """Run the request halves (None: they redirect or refuse), then the response halves."""
        request = ASGIRequest(scope, io.BytesIO())
        try:
            if settings.SECURE_SSL_REDIRECT and not request.is_secure():
                return None  # a redirect, unless the path is exempt: Django decides
            if self.security.process_request(request) or self.common.process_request(request):
                return None  # a redirect: Django's answer
        except (SuspiciousOperation, PermissionDenied):  # bad host, refused agent: Django's error
            return None
        response = HttpResponse(content_type=MVT_TYPE)
        # Common only adds Content-Length here (its redirects are for 404s).
        response = cast(HttpResponse, self.common.process_response(request, response))
        response = add_headers(request, response)  # in the chain's order: between the two
        response = cast(HttpResponse, self.security.process_response(request, response))
        return [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in response.items()
            if k.lower() not in _OWN
        ]

    def _layer_set(self, layers: str) -> _LayerSet | None:
        """The layer list's entries if all are in the in-memory catalogue and public."""
        found = self._sets.get(layers)
        if found is not None and found.current():
            return found
        try:
            slugs = parse_layer_list(layers)
        except ApiError:
            return None
        entries = [catalogue.peek(slug) for slug in slugs]
        public = [e for e in entries if e is not None and catalogue.is_public(e)]
        if len(public) != len(slugs):
            return None
        found = _LayerSet(public)
        if len(self._sets) < MAX_LAYER_SETS or layers in self._sets:
            self._sets[layers] = found
        return found

    @staticmethod
    async def _tile(
        found: _LayerSet, tile: Tile, gzip: bool
    ) -> tuple[CachedTile, bool, Later | None] | None:
        """The cached tile (read in the loop when the store is in memory), else rendered.

        A tile in the in-process cache holds both encodings, so a hit is no work here. A miss
        is rendered in the encoding asked for and answered first; storing it (with the other
        encoding: the gzip an identity client did not need) is what is left to do after the
        answer is sent. Its epochs were read before the render, so a change committed
        meanwhile keeps it out of the cache, as in `serving.render_into`.
        """
        cache = current_cache()
        try:
            if cache is None or not cache.store.in_process:
                done = await threads.run(
                    serving.cached_tile,
                    ANONYMOUS,
                    found.entries,
                    tile,
                    gzip=gzip,
                    prefix=found.prefix,
                )
                return (*done, None)
            hit = cache.get(found.prefix, tile)
            if hit is not None:
                return hit, True, None
            rendered, epochs = await threads.run(
                serving.render_fresh, cache, ANONYMOUS, found.entries, tile, gzip=gzip
            )
        except Exception:
            # The view renders it again and answers as always (a logged, generic JSON 500).
            log.debug("fast path render of %s failed; left to the view", tile, exc_info=True)
            return None
        slugs = [e.slug for e in found.entries]

        async def store() -> None:
            try:
                if gzip:  # both encodings are there: storing is a few dictionary operations
                    cache.put(found.prefix, slugs, tile, rendered, epochs)
                else:
                    await threads.run(cache.put, found.prefix, slugs, tile, rendered, epochs)
            except Exception:  # the answer is sent; the next request renders it again
                log.warning("caching %s failed", tile, exc_info=True)

        return rendered, False, store


def _reply(
    found: _LayerSet,
    tile: CachedTile,
    hit: bool,
    gzip: bool,
    if_none_match: str,
    extra: Headers,
) -> tuple[int, Headers, bytes]:
    """`serving.tile_reply` as ASGI: status, headers as the view names and orders them, body."""
    own: Headers
    body = b""
    if tile.empty:
        status, own = 204, list(_BODILESS)
    else:
        encoding = "gzip" if gzip else "identity"
        etag = etag_for(tile.digest, encoding).encode()
        if if_none_match and tag_matches(if_none_match, etag.decode()):
            status, own = 304, [*_BODILESS, (b"ETag", etag)]
        else:
            status, own = 200, [(b"Content-Type", MVT_TYPE.encode())]
            if gzip:
                body = tile.gzipped
                own.append((b"Content-Encoding", b"gzip"))
            else:
                body = tile.plain()
            own.append((b"ETag", etag))
    own += [
        (b"Cache-Control", found.cache_control),
        (b"Vary", serving.VARY.encode()),
        (b"X-Tile-Cache", b"hit" if hit else b"miss"),
    ]
    if tile.squeeze:
        own.append((BUDGET_HEADER.encode(), budget_note(tile.squeeze).encode()))
    own.append((b"Content-Length", str(len(body)).encode()))
    return status, own + extra, body


def with_fast_path(django: ASGIHandler) -> TileFastPath | ASGIHandler:
    """Django behind the tile fast path, unless GEO_IOC_TILE_FASTPATH is off."""
    return TileFastPath(django) if settings.GEO_IOC_TILE_FASTPATH else django
