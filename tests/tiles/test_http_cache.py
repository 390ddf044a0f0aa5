"""Tile HTTP caching: a strong ETag per representation, 304 on If-None-Match, gzip on request."""

from __future__ import annotations

import gzip

import httpx
import mapbox_vector_tile
import pytest

from layers.models import Layer
from tests.conftest import Users
from tests.tiles.truth import busy_tile
from tiles.tms import lonlat_to_tile

pytestmark = pytest.mark.django_db
IDENTITY = {"Accept-Encoding": "identity"}


def roads_tile_url() -> str:
    tile = busy_tile(Layer.objects.get(slug="roads"), 14)
    return f"/tiles/roads/{tile.z}/{tile.x}/{tile.y}.mvt"


def test_etag_and_304(http: httpx.Client) -> None:
    url = roads_tile_url()
    first = http.get(url, headers=IDENTITY)
    assert first.status_code == 200 and first.headers.get("content-encoding") is None
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('-identity"')
    again = http.get(url, headers={**IDENTITY, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and "max-age" in again.headers["cache-control"]
    weak = http.get(url, headers={**IDENTITY, "If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    stale = http.get(url, headers={**IDENTITY, "If-None-Match": '"not-this-one"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_gzip_when_accepted(http: httpx.Client) -> None:
    url = roads_tile_url()
    plain = http.get(url, headers=IDENTITY)
    # Read the raw bytes: httpx would otherwise decompress them for us.
    with http.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as zipped:
        raw = b"".join(zipped.iter_raw())
        headers = zipped.headers
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert len(raw) < len(plain.content)
    assert gzip.decompress(raw) == plain.content
    assert headers["etag"] != plain.headers["etag"]  # another representation, another tag
    assert "roads" in mapbox_vector_tile.decode(gzip.decompress(raw))
    refused = http.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert refused.headers.get("content-encoding") is None


def _incident_count(body: bytes) -> int:
    decoded = mapbox_vector_tile.decode(body) if body else {}
    return len(decoded.get("incidents", {}).get("features", []))


def test_server_cache_hits_and_an_api_write_drops_exactly_its_tiles(
    http: httpx.Client, users: Users
) -> None:
    """An incident created over the API is in the very next tile; tiles elsewhere stay cached."""
    auth = {"Authorization": f"Token {users.operator}"}
    here, far = (108.4512, 11.9287), (108.4040, 11.9695)
    urls = {}
    for name, (lon, lat) in {"here": here, "far": far}.items():
        tile = lonlat_to_tile(lon, lat, 15)
        urls[name] = f"/tiles/incidents,roads/15/{tile.x}/{tile.y}.mvt"
    before = {}
    for name, url in urls.items():
        first = http.get(url, headers=auth)
        second = http.get(url, headers=auth)
        assert second.headers["x-tile-cache"] == "hit", name
        assert second.headers["etag"] == first.headers["etag"]
        before[name] = second
    created = http.post(
        "/incidents",
        json={"type": "fire", "severity": 4, "lon": here[0], "lat": here[1]},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    after = http.get(urls["here"], headers=auth)
    assert after.headers["x-tile-cache"] == "miss"
    assert _incident_count(after.content) == _incident_count(before["here"].content) + 1
    untouched = http.get(urls["far"], headers=auth)
    assert untouched.headers["x-tile-cache"] == "hit"
    assert untouched.content == before["far"].content


def test_cache_control_follows_the_layers(http: httpx.Client, users: Users) -> None:
    base = http.get(roads_tile_url())
    assert base.headers["cache-control"] == "public, max-age=3600"
    tile = lonlat_to_tile(108.4419, 11.9404, 14)
    live = http.get(
        f"/tiles/roads,incidents/14/{tile.x}/{tile.y}.mvt",
        headers={"Authorization": f"Token {users.operator}"},
    )
    assert live.headers["cache-control"] == "private, max-age=5"


def test_gzip_bytes_come_from_the_cache_unchanged(http: httpx.Client) -> None:
    url = roads_tile_url()
    one = http.get(url, headers={"Accept-Encoding": "gzip"})
    two = http.get(url, headers={"Accept-Encoding": "gzip"})
    assert two.headers["x-tile-cache"] == "hit"
    assert one.headers["etag"] == two.headers["etag"] and one.headers["etag"].endswith('-gzip"')
    assert one.content == two.content  # httpx decodes both; the bytes are the same tile
