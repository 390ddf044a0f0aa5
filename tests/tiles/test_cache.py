"""The tile cache against real PostGIS and Redis: exact invalidation from the change feed.

Each test fills a cache with real rendered tiles around a feature, changes the feature with plain
SQL (the triggers see every writer), applies the change feed and then re-renders every cached tile:
a tile whose bytes changed must have been dropped (nothing stale), and a dropped tile must lie
within the documented reach of the old or new geometry (nothing else thrown away).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from layers import changes
from tests.helpers import settle
from tiles import queries
from tiles.cache import TileCache, slack_for
from tiles.catalogue import lookup
from tiles.stores import LocalStore, RedisStore, Store
from tiles.tms import Tile, lonlat_to_tile

pytestmark = pytest.mark.django_db
ANONYMOUS = AnonymousUser()
ZOOMS = range(11, 17)


@pytest.fixture(params=["local", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[TileCache]:
    store: Store
    if request.param == "redis":
        store = RedisStore("redis://127.0.0.1:6379/15")
        store.redis.flushdb()
    else:
        store = LocalStore()
    cache = TileCache(store)
    store.set_cursor(changes.newest_id())
    yield cache
    cache.purge()


def _prefix(slugs: list[str]) -> str:
    return f"{','.join(slugs)}|public"


def _fill(cache: TileCache, slugs: list[str], lon: float, lat: float) -> dict[Tile, bytes]:
    """Cache a 5 x 5 block of tiles around a place at each zoom; return their bytes."""
    entries = queries.resolve_layers(ANONYMOUS, slugs)
    out = {}
    for z in ZOOMS:
        centre = lonlat_to_tile(lon, lat, z)
        for dx in range(-2, 3):
            for dy in range(-2, 3):
                tile = Tile(z, centre.x + dx, centre.y + dy)
                body = queries.render_tile(ANONYMOUS, entries, tile)
                cache.put(_prefix(slugs), slugs, tile, body, cache.epochs(slugs))
                out[tile] = body
    return out


def _within_reach(slug: str, tile: Tile, wkts: list[str]) -> bool:
    """Independent check: the geometry lies within the tile's envelope widened by the slack."""
    entry = lookup(slug)
    assert entry is not None
    with connection.cursor() as cur:
        cur.execute(
            "SELECT bool_or(ST_DWithin(ST_TileEnvelope(%s, %s, %s), ST_Transform(g, 3857), %s))"
            " FROM unnest(%s::text[]) w, ST_GeomFromText(w, 4326) g",
            [tile.z, tile.x, tile.y, slack_for(entry, tile.z), wkts],
        )
        return bool(cur.fetchone()[0])


def _check(
    cache: TileCache, slugs: list[str], changed: str, before: dict[Tile, bytes], wkts: list[str]
) -> set[Tile]:
    entries = queries.resolve_layers(ANONYMOUS, slugs)
    prefix = _prefix(slugs)
    dropped = {t for t in before if cache.get(prefix, t) is None}
    for tile, old in before.items():
        now = queries.render_tile(ANONYMOUS, entries, tile)
        if now != old:
            assert tile in dropped, f"stale tile {tile} kept in the cache"
        if tile in dropped:
            assert _within_reach(changed, tile, wkts), f"{tile} dropped but out of reach"
    assert len(dropped) < len(before) / 2, "far more tiles dropped than the change touches"
    return dropped


def _feature(table: str, lon: float, lat: float) -> tuple[int, str]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, ST_AsText(geom) FROM layer_data.{table}"
            " ORDER BY geom <-> ST_SetSRID(ST_Point(%s, %s), 4326) LIMIT 1",
            [lon, lat],
        )
        fid, wkt = cur.fetchone()
    return int(fid), str(wkt)


CENTRE = (108.4419, 11.9404)


def test_moving_a_point_drops_exactly_the_tiles_it_leaves_and_enters(cache: TileCache) -> None:
    slugs = ["poi_tourism"]
    fid, old = _feature("poi_tourism", *CENTRE)
    before = _fill(cache, slugs, *CENTRE)
    new = "POINT(108.4461 11.9377)"
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE layer_data.poi_tourism SET geom = ST_GeomFromText(%s, 4326) WHERE id = %s",
            [new, fid],
        )
    settle()  # the test's transaction never commits
    assert cache.apply_pending() > 0
    dropped = _check(cache, slugs, "poi_tourism", before, [old, new])
    # Both places, at every zoom: the point's own tile at least.
    for z in ZOOMS:
        assert lonlat_to_tile(108.4461, 11.9377, z) in dropped


def test_an_attribute_edit_in_a_composite_drops_its_tiles_only(cache: TileCache) -> None:
    slugs = ["roads", "buildings", "poi_tourism"]
    fid, wkt = _feature("buildings", *CENTRE)
    before = _fill(cache, slugs, *CENTRE)
    with connection.cursor() as cur:
        cur.execute("UPDATE layer_data.buildings SET name = 'Nhà thử' WHERE id = %s", [fid])
    settle()  # the test's transaction never commits
    cache.apply_pending()
    dropped = _check(cache, slugs, "buildings", before, [wkt])
    assert dropped
    # The same layer cached alone is a different prefix, dropped by the same change.
    alone = _fill(cache, ["buildings"], *CENTRE)
    with connection.cursor() as cur:
        cur.execute("UPDATE layer_data.buildings SET name = 'Nhà thử 2' WHERE id = %s", [fid])
    settle()  # the test's transaction never commits
    cache.apply_pending()
    _check(cache, ["buildings"], "buildings", alone, [wkt])


def test_delete_and_insert_are_changes_too(cache: TileCache) -> None:
    slugs = ["poi_tourism"]
    fid, wkt = _feature("poi_tourism", *CENTRE)
    before = _fill(cache, slugs, *CENTRE)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM layer_data.poi_tourism WHERE id = %s", [fid])
    settle()  # the test's transaction never commits
    cache.apply_pending()
    _check(cache, slugs, "poi_tourism", before, [wkt])
    before = _fill(cache, slugs, *CENTRE)
    new = "POINT(108.4385 11.9431)"
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO layer_data.poi_tourism (name, geom)"
            " VALUES ('Điểm mới', ST_GeomFromText(%s, 4326))",
            [new],
        )
    settle()  # the test's transaction never commits
    cache.apply_pending()
    _check(cache, slugs, "poi_tourism", before, [new])


def test_a_render_that_raced_a_change_is_not_stored(cache: TileCache) -> None:
    slugs = ["poi_tourism"]
    tile = lonlat_to_tile(*CENTRE, 15)
    epochs = cache.epochs(slugs)  # a render starts …
    fid, _ = _feature("poi_tourism", *CENTRE)
    with connection.cursor() as cur:  # … a change commits and is applied meanwhile …
        cur.execute("UPDATE layer_data.poi_tourism SET name = 'x' WHERE id = %s", [fid])
    settle()  # the test's transaction never commits
    cache.apply_pending()
    cache.put(_prefix(slugs), slugs, tile, b"stale bytes", epochs)  # … and ends
    assert cache.get(_prefix(slugs), tile) is None


def test_truncate_drops_the_whole_layer(cache: TileCache) -> None:
    before = _fill(cache, ["poi_markets"], *CENTRE)
    kept = _fill(cache, ["poi_health"], *CENTRE)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE layer_data.poi_markets")
    settle()  # the test's transaction never commits
    cache.apply_pending()
    assert all(cache.get(_prefix(["poi_markets"]), t) is None for t in before)
    assert all(cache.get(_prefix(["poi_health"]), t) is not None for t in kept)
