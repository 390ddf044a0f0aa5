"""A miss is answered first and cached afterwards, still exactly; gzip is ISA-L's or zlib's."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import pytest
from django.db import connection

from layers.models import Layer
from tests.helpers import settle
from tests.tiles import asgi
from tests.tiles.test_fastpath_asgi import Django, cache, call  # noqa: F401 (the fixture)
from tests.tiles.truth import busy_tile
from tiles.bodies import CachedTile, gzip_bytes
from tiles.cache import TileCache
from tiles.fastpath import TileFastPath
from tiles.tms import Tile, lonlat_to_tile

pytestmark = pytest.mark.django_db


def _url(tile: Tile) -> str:
    return f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"


def _far_tile(near: Tile) -> Tile:
    """A roads tile at the same zoom, away from `near` and its neighbours."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p,"
            " ST_Distance(geom_3857, ST_TileEnvelope(%s, %s, %s)) AS d"
            " FROM layer_data.roads ORDER BY d DESC LIMIT 1) s",
            [near.z, near.x, near.y],
        )
        lon, lat = cur.fetchone()
    far = lonlat_to_tile(float(lon), float(lat), near.z)
    assert abs(far.x - near.x) > 2 or abs(far.y - near.y) > 2
    return far


def test_a_miss_for_an_identity_client_is_cached_with_both_encodings_after_it(
    cache: TileCache,  # noqa: F811
) -> None:
    django = Django()
    app = TileFastPath(django)
    layer = Layer.objects.get(slug="roads")
    near = busy_tile(layer, 14)
    far = _far_tile(near)
    first = call(app, _url(near))  # no gzip asked: answered before any gzip is made
    assert first[0] == 200 and first[1]["x-tile-cache"] == "miss"
    assert "content-encoding" not in first[1]
    # Stored once the answer was sent, with the gzip the identity client did not need.
    stored = next(iter(cache.store._tiles.values()))  # type: ignore[attr-defined]
    assert isinstance(stored, CachedTile)
    assert stored.plain_bytes == first[2] and stored.gzipped_bytes is not None
    zipped = call(app, _url(near), {"Accept-Encoding": "gzip"})
    plain = call(app, _url(near))
    assert zipped[1]["x-tile-cache"] == plain[1]["x-tile-cache"] == "hit"
    assert zipped[1]["content-encoding"] == "gzip"
    assert gzip.decompress(zipped[2]) == plain[2] == first[2]
    assert zipped[1]["etag"] != plain[1]["etag"] == first[1]["etag"]
    # A gzip client's miss is stored too, and is then a hit for both encodings.
    assert call(app, _url(far), {"Accept-Encoding": "gzip"})[1]["x-tile-cache"] == "miss"
    assert call(app, _url(far))[1]["x-tile-cache"] == "hit"
    # A change in the near tile drops both its encodings, and nothing far away.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE layer_data.roads SET name = 'Đường thử' WHERE id = ("
            " SELECT id FROM layer_data.roads"
            " WHERE geom_3857 && ST_TileEnvelope(%s, %s, %s) LIMIT 1)",
            [near.z, near.x, near.y],
        )
        assert cur.rowcount == 1
    settle()
    assert cache.apply_pending() > 0
    assert call(app, _url(near), {"Accept-Encoding": "gzip"})[1]["x-tile-cache"] == "miss"
    assert call(app, _url(near))[1]["x-tile-cache"] == "hit"  # the miss just cached it again
    assert call(app, _url(far), {"Accept-Encoding": "gzip"})[1]["x-tile-cache"] == "hit"
    assert django.calls == []


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_change_between_the_answer_and_the_store_keeps_the_tile_out(
    cache: TileCache,  # noqa: F811
    encoding: str,
) -> None:
    app = TileFastPath(Django())
    url = _url(busy_tile(Layer.objects.get(slug="roads"), 14))

    def bump_once_sent(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            cache.store.bump(["roads"])  # what invalidating a committed change does first

    status, _, body = asgi.call(app, url, {"Accept-Encoding": encoding}, on_send=bump_once_sent)
    assert status == 200 and body
    assert not cache.store._tiles  # type: ignore[attr-defined]
    assert call(app, url)[1]["x-tile-cache"] == "miss"


def test_gzip_is_standard_and_deterministic_at_every_level(settings: Any) -> None:
    body = b"\x1a\x05roads" * 4000 + bytes(range(256)) * 20
    for level in (1, 3, 6):
        settings.GEO_IOC_TILE_GZIP_LEVEL = level
        once, again = gzip_bytes(body), gzip_bytes(body)
        assert once == again and once[4:8] == b"\0\0\0\0"  # no mtime: equal tiles, equal bytes
        assert gzip.decompress(once) == body and zlib.decompress(once, 31) == body
        assert len(once) < len(body) // 4
    settings.GEO_IOC_TILE_GZIP_LEVEL = 1
    assert gzip_bytes(b"") and gzip.decompress(gzip_bytes(b"")) == b""
