"""Tile HTTP caching: a strong ETag per representation, 304 on If-None-Match, gzip on request."""

from __future__ import annotations

import gzip

import httpx
import mapbox_vector_tile
import pytest

from layers.models import Layer
from tests.tiles.truth import busy_tile

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
