"""Generalisation keeps every tile of the demo city under the size cap, at every zoom.

Rendering every tile of every layer at every zoom takes minutes, so each zoom is checked on all
tiles up to z12 and, above, on the tiles carrying the most vertices (counted by PostGIS per tile
of each feature's centre): a tile's size grows with the vertices it holds.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from psycopg import sql

from layers.models import Layer
from tiles import queries
from tiles.catalogue import TileLayer
from tiles.management.commands.tiles import SIZE_CAP
from tiles.seeding import tiles_over, union_extent
from tiles.tms import ORIGIN_SHIFT, Tile

pytestmark = pytest.mark.django_db
# Every layer alone, and the base map as one composite (what a wall loads most).
BASE = ["land_use", "water", "roads", "buildings", "heritage_buildings", "admin_units"]
HEAVIEST = 4


def heaviest_tiles(entries: list[TileLayer], z: int) -> set[Tile]:
    """The tiles at zoom z holding the most vertices of each layer."""
    size = 2 * ORIGIN_SHIFT / (1 << z)
    found: set[Tile] = set()
    for entry in entries:
        g = entry.relation.geom_3857
        query = sql.SQL(
            "SELECT floor((ST_X(c) + {o}) / {s})::int, floor(({o} - ST_Y(c)) / {s})::int"
            " FROM (SELECT ST_Centroid(Box2D({g})) AS c, ST_NPoints({g}) AS n FROM {rel}) f"
            " GROUP BY 1, 2 ORDER BY sum(n) DESC LIMIT {k}"
        ).format(
            o=sql.Literal(ORIGIN_SHIFT),
            s=sql.Literal(size),
            g=g,
            rel=entry.relation.relation,
            k=sql.Literal(HEAVIEST),
        )
        with connection.cursor() as cur:
            cur.execute(query.as_string(cur.connection))
            found |= {Tile(z, x, y) for x, y in cur.fetchall()}
    return found


def test_every_tile_of_the_city_is_under_the_cap(users: object) -> None:
    admin = get_user_model().objects.get(username="test_admin")
    slugs = set(Layer.objects.values_list("slug", flat=True))
    city = union_extent(queries.resolve_layers(admin, ["land_use", "parcels"]))
    assert city is not None
    sets = [[s] for s in sorted(slugs)] + [[s for s in BASE if s in slugs]]
    rendered = 0
    for layer_set in sets:
        entries = queries.resolve_layers(admin, layer_set)
        for z in range(max(8, min(e.layer.min_zoom for e in entries)), 17):
            tiles = set(tiles_over(city, range(z, z + 1))) if z <= 12 else set()
            for tile in tiles | heaviest_tiles(entries, z):
                size = len(queries.render_tile(admin, entries, tile))
                assert size <= SIZE_CAP, f"{','.join(layer_set)} {tile}: {size / 1024:.0f} KB"
                rendered += 1
    assert rendered > 500
