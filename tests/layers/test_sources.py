"""Sources make their own output; callers branch on their flags, not on their kinds."""

from __future__ import annotations

from collections.abc import Sequence

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import AnonymousUser
from psycopg import sql

from geo_ioc.core.errors import NotFound
from layers import catalogue
from layers.catalogue import Entry
from layers.definitions import FieldDef
from layers.models import Layer
from layers.ogc.params import FilterParams
from layers.ogc.plan import plan_read
from layers.sources import LayerSource, SqlSource, source_for
from tests.helpers import rows
from tests.tiles.truth import busy_tile
from tiles.queries import render_tile, statement_for, tilejson

pytestmark = pytest.mark.django_db
ANONYMOUS = AnonymousUser()


class StaticSource(LayerSource):
    """A source that is not SQL (as a raster will be): its tile part is bytes it makes itself."""

    kind = "static"

    def tile_layer(self, z: int, x: int, y: int, fields: Sequence[FieldDef]) -> bytes:
        """One point in the middle of every tile."""
        return bytes(
            mapbox_vector_tile.encode(
                [
                    {
                        "name": "static",
                        "features": [{"geometry": "POINT(2048 2048)", "properties": {}}],
                    }
                ]
            )
        )


def static_entry() -> Entry:
    roads = catalogue.lookup("roads")
    assert roads is not None
    layer = Layer(slug="static", title_vi="Tĩnh", title_en="Static", source={"kind": "static"})
    return Entry(
        layer=layer,
        definition=roads.definition,
        source=StaticSource(layer, roads.definition),
        allowed_groups=frozenset(),
        fields=(),
    )


def test_kinds_declare_their_abilities() -> None:
    roads = catalogue.lookup("roads")  # a table
    incidents = catalogue.lookup("incidents")  # a model
    assert roads is not None and incidents is not None
    for entry in (roads, incidents):
        assert isinstance(entry.source, SqlSource)
        assert entry.source.sql_tiles and entry.source.supports_features
        assert entry.source.has_relation
    static = static_entry().source
    assert not (static.sql_tiles or static.supports_features or static.has_relation)
    with pytest.raises(LookupError):
        static.relation()


def test_sql_part_joins_the_one_statement_and_bytes_are_appended() -> None:
    roads = catalogue.lookup("roads")
    assert roads is not None
    tile = busy_tile(roads.layer, 14)
    part = roads.source.tile_layer(tile.z, tile.x, tile.y, list(roads.fields))
    assert isinstance(part, sql.Composed)
    static = static_entry()
    statement = statement_for(ANONYMOUS, [roads, static], tile)
    assert statement is not None and statement[0].count("ST_AsMVT(") == 1  # static adds no SQL
    decoded = mapbox_vector_tile.decode(render_tile(ANONYMOUS, [roads, static], tile))
    assert set(decoded) == {"roads", "static"}
    assert len(decoded["static"]["features"]) == 1
    alone = mapbox_vector_tile.decode(render_tile(ANONYMOUS, [roads], tile))
    assert decoded["roads"] == alone["roads"]


def test_a_source_without_features_has_no_items() -> None:
    with pytest.raises(NotFound):
        plan_read(ANONYMOUS, static_entry(), FilterParams())


def test_tilejson_entries_come_from_the_sources() -> None:
    roads = catalogue.lookup("roads")
    assert roads is not None
    doc = tilejson(ANONYMOUS, [roads, static_entry()], "http://x/{z}/{x}/{y}.mvt")
    ids = [v["id"] for v in doc["vector_layers"]]
    assert ids == ["roads", "static"]
    assert set(doc["vector_layers"][0]["fields"]) == set(roads.public_fields)


def test_version_follows_the_definition() -> None:
    layer = Layer.objects.get(slug="roads")
    before = source_for(layer).version()
    layer.save()  # rolled back after the test
    assert source_for(layer).version() != before


def test_union_where_reads_the_layer() -> None:
    admin = catalogue.lookup("admin_units")
    assert admin is not None
    with pytest.raises(NotImplementedError):
        static_entry().source.union_where("code", "x")
    assert admin.source.union_where("code", "no such code") is None
    (code,) = rows("SELECT code FROM layer_data.admin_units LIMIT 1")[0]
    ewkb = admin.source.union_where("code", str(code))
    assert ewkb is not None and len(ewkb) > 100
