"""The fast path in-process: which requests it answers itself and which it hands to Django.

Django's async-unsafe guard raises if database work runs in the event loop, so every answer
here also shows that the fast path keeps the loop free of it.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.test import Client

from layers import changes
from layers.models import Layer
from tests.helpers import settle
from tests.tiles import asgi
from tests.tiles.truth import busy_tile
from tiles import cache as tile_cache_module
from tiles import catalogue
from tiles.bodies import CachedTile
from tiles.cache import TileCache
from tiles.fastpath import TileFastPath
from tiles.stores import LocalStore

pytestmark = pytest.mark.django_db
Answer = tuple[int, dict[str, str], bytes]


class Django(ASGIHandler):
    """Stands in for Django: records what falls through (and keeps `send_response`)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[TileCache]:
    """A fresh in-memory cache as the process's cache, and a catalogue loaded from memory."""
    fresh = TileCache(LocalStore())
    fresh.store.set_cursor(changes.newest_id())
    monkeypatch.setattr(tile_cache_module, "_cache", fresh)
    catalogue.forget()
    for slug in ("roads", "buildings", "incidents"):
        catalogue.lookup(slug)
    yield fresh
    catalogue.forget()


def call(app: TileFastPath, path: str, headers: dict[str, str] | None = None) -> Answer:
    """One GET through the app, its headers as a dict."""
    status, out, body = asgi.call(app, path, headers)
    return status, dict(out), body


def roads_url() -> str:
    tile = busy_tile(Layer.objects.get(slug="roads"), 14)
    return f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"


def test_misses_and_hits_are_answered_without_django(cache: TileCache) -> None:
    django = Django()
    app = TileFastPath(django)
    url = roads_url()
    miss = call(app, url, {"Accept-Encoding": "gzip"})
    hit = call(app, url, {"Accept-Encoding": "gzip"})
    assert django.calls == []
    assert (miss[0], miss[1]["x-tile-cache"], hit[1]["x-tile-cache"]) == (200, "miss", "hit")
    assert miss[2] == hit[2] and miss[1]["etag"] == hit[1]["etag"]
    # The Django view, through the whole middleware chain, answers the same from the same cache.
    view = Client().get(url, headers={"Accept-Encoding": "gzip"})
    assert view.content == hit[2]
    assert {k.lower(): v for k, v in view.items()} == hit[1]
    assert call(app, url, {"If-None-Match": hit[1]["etag"]})[0] == 200  # identity: other tag
    assert call(app, url, {"Accept-Encoding": "gzip", "If-None-Match": hit[1]["etag"]})[0] == 304


def test_what_falls_through_to_django(cache: TileCache) -> None:
    django = Django()
    app = TileFastPath(django)
    url = roads_url()
    call(app, url)
    cases = {
        "staff layer": ("/tiles/incidents/14/13000/7600.mvt", {}),
        "partly staff": ("/tiles/roads,incidents/14/13000/7600.mvt", {}),
        "bad zoom": ("/tiles/roads/23/0/0.mvt", {}),
        "bad column": ("/tiles/roads/3/8/0.mvt", {}),
        "unknown": ("/tiles/nope/14/13000/7600.mvt", {}),
        "token": (url, {"Authorization": "Token abc"}),
        "session": (url, {"Cookie": "sessionid=abc"}),
        "host": (url, {"Host": "evil.example"}),
    }
    for name, (path, headers) in cases.items():
        django.calls.clear()
        assert call(app, path, headers)[0] == 599, name
        assert django.calls == [path], name
    # The catalogue is read whole: a layer is "not loaded" when the catalogue is not in memory.
    catalogue.forget()
    path = "/tiles/poi_tourism/14/13000/7600.mvt"
    django.calls.clear()
    assert call(app, path)[0] == 599, "not loaded"
    assert django.calls == [path], "not loaded"


def test_with_the_cache_off_tiles_are_still_answered_without_django(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.GEO_IOC_TILE_CACHE = "off"
    monkeypatch.setattr(tile_cache_module, "_cache", None)
    catalogue.lookup("roads")
    django = Django()
    app = TileFastPath(django)
    url = roads_url()
    plain = call(app, url)
    zipped = call(app, url, {"Accept-Encoding": "gzip"})
    assert django.calls == [] and plain[0] == zipped[0] == 200
    assert plain[1]["x-tile-cache"] == "miss" and "content-encoding" not in plain[1]
    # gzip only for the client that asked, and it is the same tile.
    assert zipped[1]["content-encoding"] == "gzip"
    assert gzip.decompress(zipped[2]) == plain[2]
    assert tile_cache_module.current_cache() is None


def test_a_hit_holds_both_encodings(cache: TileCache) -> None:
    app = TileFastPath(Django())
    url = roads_url()
    first = call(app, url)  # an identity client renders it; the cache keeps both forms
    stored = next(iter(cache.store._tiles.values()))  # type: ignore[attr-defined]
    assert isinstance(stored, CachedTile)
    assert stored.plain_bytes == first[2] and stored.gzipped_bytes is not None
    zipped = call(app, url, {"Accept-Encoding": "gzip"})
    assert zipped[1]["x-tile-cache"] == "hit" and zipped[2] == stored.gzipped_bytes
    assert gzip.decompress(zipped[2]) == first[2]


def test_an_invalidated_tile_is_not_served_from_the_cache(cache: TileCache) -> None:
    django = Django()
    app = TileFastPath(django)
    layer = Layer.objects.get(slug="roads")
    tile = busy_tile(layer, 14)
    url = f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"
    call(app, url)
    assert call(app, url)[1]["x-tile-cache"] == "hit"
    with connection.cursor() as cur:  # a road in the tile changes (in the test's transaction)
        cur.execute(
            "UPDATE layer_data.roads SET name = 'Đường thử' WHERE id = ("
            " SELECT id FROM layer_data.roads"
            " WHERE geom_3857 && ST_TileEnvelope(%s, %s, %s) LIMIT 1)",
            [tile.z, tile.x, tile.y],
        )
        assert cur.rowcount == 1
    settle()  # the test's transaction never commits
    assert cache.apply_pending() > 0
    assert call(app, url)[1]["x-tile-cache"] == "miss"
    assert django.calls == []
