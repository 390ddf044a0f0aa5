"""The raw ASGI tile responder in front of the real Django application, in-process.

What it remembers between requests (the middlewares' headers per kind of request, the layer
lists it may answer) must never let a cached body out to someone the view would refuse, and a
hit's headers — X-Tile-Budget included — must be the view's, for both encodings and for 304.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.asgi import get_asgi_application

from layers import changes
from layers.models import Layer
from tests.helpers import own_connection
from tests.tiles.asgi import Answer, call
from tests.tiles.truth import busy_tile
from tiles import cache as tile_cache_module
from tiles import catalogue, serving
from tiles.bodies import CachedTile
from tiles.cache import TileCache
from tiles.fastpath import TileFastPath
from tiles.stores import LocalStore, RedisStore
from tiles.tms import Tile

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[TileCache]:
    """A fresh in-memory cache as the process's cache, the catalogue loaded in memory."""
    fresh = TileCache(LocalStore())
    fresh.store.set_cursor(changes.newest_id())
    monkeypatch.setattr(tile_cache_module, "_cache", fresh)
    catalogue.forget()
    catalogue.lookup("roads")
    yield fresh
    catalogue.forget()


@pytest.fixture
def app() -> TileFastPath:
    """The responder in front of the real Django application."""
    return TileFastPath(get_asgi_application())  # type: ignore[arg-type]


def header(answer: Answer, name: str) -> str | None:
    return next((v for k, v in answer[1] if k == name), None)


def _roads_tile() -> Tile:
    return busy_tile(Layer.objects.get(slug="roads"), 14)


def test_a_squeezed_hit_says_so_like_the_view_in_both_encodings_and_304(
    cache: TileCache, app: TileFastPath
) -> None:
    tile = _roads_tile()
    url = f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"
    entries = [catalogue.lookup("roads")]
    prefix = serving.cache_prefix(AnonymousUser(), entries)  # type: ignore[arg-type]
    body = b"\x1a\x05x" * 200  # any bytes: the responder serves what the cache holds
    stored = CachedTile.of(body, 3)
    cache.put(prefix, ["roads"], tile, stored, cache.epochs(["roads"]))
    django = get_asgi_application()  # the view, through the whole middleware chain
    for accept in ("gzip", "identity"):
        fast = call(app, url, {"Accept-Encoding": accept})
        slow = call(django, url, {"Accept-Encoding": accept})
        assert fast == slow, accept
        assert header(fast, "x-tile-cache") == "hit"
        assert header(fast, "x-tile-budget") == "squeezed=3; max-bytes=512000"
        assert (gzip.decompress(fast[2]) if accept == "gzip" else fast[2]) == body
        tagged = {"Accept-Encoding": accept, "If-None-Match": str(header(fast, "etag"))}
        fast_304, slow_304 = call(app, url, tagged), call(django, url, tagged)
        assert fast_304 == slow_304 and fast_304[0] == 304 and fast_304[2] == b""
        assert header(fast_304, "x-tile-budget") == "squeezed=3; max-bytes=512000"


def test_a_layer_made_staff_is_refused_though_its_public_tile_is_cached(
    cache: TileCache, app: TileFastPath
) -> None:
    tile = _roads_tile()
    url = f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"
    call(app, url)
    cached = call(app, url)
    assert cached[0] == 200 and header(cached, "x-tile-cache") == "hit"
    with own_connection() as conn:  # committed: the view's threads read the catalogue too
        conn.execute("UPDATE layers_layer SET access_level = 'staff' WHERE slug = 'roads'")
    try:
        catalogue.forget()  # what the catalogue change does when the feed delivers it
        for _ in range(2):  # the catalogue reloaded by the first refusal is still refused
            refused = call(app, url)
            assert refused[0] == 401, refused
            assert json.loads(refused[2])["code"] == "not_authenticated"
            assert refused[2] != cached[2] and header(refused, "x-tile-cache") is None
    finally:
        with own_connection() as conn:
            conn.execute("UPDATE layers_layer SET access_level = 'public' WHERE slug = 'roads'")
        catalogue.forget()


def test_a_staff_tile_cached_for_a_staff_user_never_reaches_anonymous(
    cache: TileCache, app: TileFastPath
) -> None:
    tile = busy_tile(Layer.objects.get(slug="incidents"), 14)
    url = f"/tiles/incidents/{tile.z}/{tile.x}/{tile.y}.mvt"
    # Where an anonymous request would look if the responder took the layer for public.
    epochs = cache.epochs(["incidents"])
    cache.put("incidents|public", ["incidents"], tile, CachedTile.of(b"secret"), epochs)
    for accept in ("gzip", "identity"):
        refused = call(app, url, {"Accept-Encoding": accept})
        assert refused[0] == 401 and json.loads(refused[2])["code"] == "not_authenticated"
        assert b"secret" not in refused[2]


def test_a_refused_host_is_remembered_as_refused(cache: TileCache, app: TileFastPath) -> None:
    tile = _roads_tile()
    url = f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"
    call(app, url)
    assert call(app, url)[0] == 200
    for _ in range(2):  # the second time from what the responder remembers about this host
        bad = call(app, url, {"Host": "evil.example"})
        assert bad[0] == 400 and header(bad, "x-tile-cache") is None


def test_a_squeezed_tile_from_redis_says_so(
    monkeypatch: pytest.MonkeyPatch, app: TileFastPath
) -> None:
    """Redis keeps the digest with the bytes; its last digit is the budget's steps."""
    store = RedisStore("redis://127.0.0.1:6379/15")
    store.redis.flushdb()
    shared = TileCache(store)
    shared.store.set_cursor(changes.newest_id())
    monkeypatch.setattr(tile_cache_module, "_cache", shared)
    catalogue.forget()
    catalogue.lookup("roads")
    tile = _roads_tile()
    body = b"\x1a\x05y" * 300
    shared.put("roads|public", ["roads"], tile, CachedTile.of(body, 2), shared.epochs(["roads"]))
    url = f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"
    try:
        for accept in ("gzip", "identity"):
            hit = call(app, url, {"Accept-Encoding": accept})
            assert header(hit, "x-tile-cache") == "hit"
            assert header(hit, "x-tile-budget") == "squeezed=2; max-bytes=512000"
            assert (gzip.decompress(hit[2]) if accept == "gzip" else hit[2]) == body
    finally:
        store.redis.flushdb()
        catalogue.forget()
