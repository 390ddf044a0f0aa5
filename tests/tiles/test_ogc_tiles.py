"""OGC API – Tiles discovery: from the landing page to a tile, by the links alone."""

from __future__ import annotations

import httpx
import mapbox_vector_tile
import pytest

from tiles.tms import lonlat_to_tile

pytestmark = pytest.mark.django_db
REL_TILESETS = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
REL_TILESET = "http://www.opengis.net/def/rel/ogc/1.0/tileset"


def _link(doc: dict, rel: str) -> dict:
    return next(link for link in doc["links"] if link["rel"] == rel)


def test_links_lead_from_the_landing_page_to_a_decoded_tile(http: httpx.Client) -> None:
    landing = http.get("/ogc").json()
    tilesets = http.get(_link(landing, REL_TILESETS)["href"]).json()
    slugs = {t["links"][0]["href"].rstrip("/").split("/")[-3] for t in tilesets["tilesets"]}
    assert "roads" in slugs and "cameras" not in slugs  # restricted layers stay hidden
    collection = http.get("/ogc/collections/roads").json()
    listing = http.get(_link(collection, REL_TILESETS)["href"]).json()
    tileset = http.get(_link(listing["tilesets"][0], REL_TILESET)["href"]).json()
    assert tileset["dataType"] == "vector"
    assert tileset["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    tms = http.get(tileset["tileMatrixSetDefinition"]).json()
    assert tms["crs"].endswith("/3857") and len(tms["tileMatrices"]) == 23
    assert tms["tileMatrices"][0]["scaleDenominator"] == pytest.approx(559082264.0287178)
    limits = {lim["tileMatrix"]: lim for lim in tileset["tileMatrixSetLimits"]}
    tile = lonlat_to_tile(108.4419, 11.9404, 14)
    assert limits["14"]["minTileCol"] <= tile.x <= limits["14"]["maxTileCol"]
    template = _link(tileset, "item")["href"]
    url = (
        template.replace("{tileMatrix}", "14")
        .replace("{tileCol}", str(tile.x))
        .replace("{tileRow}", str(tile.y))
    )
    r = http.get(url)
    assert r.status_code == 200
    assert mapbox_vector_tile.decode(r.content)["roads"]["features"]


def test_unknown_tile_matrix_set_is_a_json_404(http: httpx.Client) -> None:
    r = http.get("/ogc/collections/roads/tiles/NZTM2000Quad")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found" and "WebMercatorQuad" in r.json()["message"]
