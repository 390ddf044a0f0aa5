"""Vector tiles over real HTTP, decoded, compared with PostGIS."""

from __future__ import annotations

import httpx
import mapbox_vector_tile
import pytest

from layers.access import visible_fields
from layers.models import Layer
from tests.conftest import Users
from tests.tiles.truth import busy_tile, features_in_tile
from tiles.sql import metres_per_pixel
from tiles.tms import ORIGIN_SHIFT, Tile

pytestmark = pytest.mark.django_db


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def _decode(body: bytes) -> dict:
    # y_coord_down: MVT pixel rows grow southwards, like the tile matrix.
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})


def _served_layers() -> list[Layer]:
    return list(Layer.objects.all())


def _tile_features(http: httpx.Client, token: str, slug: str, tile: Tile) -> dict[int, dict]:
    r = http.get(f"/tiles/{slug}/{tile.z}/{tile.x}/{tile.y}.mvt", headers=_auth(token))
    if r.status_code == 204:
        return {}
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    decoded = _decode(r.content)
    assert set(decoded) - {f"{slug}_label"} == {slug}
    return {f["id"]: f for f in decoded[slug]["features"]}


def test_catalogue_has_the_demo_city() -> None:
    slugs = set(Layer.objects.values_list("slug", flat=True))
    assert len(slugs) >= 10
    assert {"roads", "buildings"} <= slugs


@pytest.mark.parametrize("z", [14, 16])
def test_tile_features_and_attributes_equal_postgis(
    http: httpx.Client, users: Users, z: int
) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="test_admin")
    checked = 0
    for layer in _served_layers():
        if not layer.min_zoom <= z <= layer.max_zoom or not layer.feature_count:
            continue
        rule = layer.definition().rule_for(z)
        if rule and rule.cluster:
            continue  # clusters: see test_generalisation
        tile = busy_tile(layer, z)
        fields = [f.name for f in visible_fields(admin, layer)]
        if rule and rule.fields is not None:
            fields = [f for f in fields if f in rule.fields]
        min_size = rule.min_size * metres_per_pixel(z) if rule else 0.0
        truth = features_in_tile(layer, tile, fields, min_size)
        served = _tile_features(http, users.admin, layer.slug, tile)
        assert set(served) == set(truth), f"{layer.slug} {tile}"
        for fid, feature in served.items():
            assert feature["properties"] == truth[fid], f"{layer.slug} feature {fid}"
        checked += 1
    assert checked >= 8


def test_low_zoom_tile_is_a_subset_of_postgis(http: httpx.Client, users: Users) -> None:
    layer = Layer.objects.get(slug="roads")
    tile = busy_tile(layer, 11)
    served = _tile_features(http, users.admin, "roads", tile)
    rule = layer.definition().rule_for(11)
    assert rule is not None and rule.min_size > 0
    truth = features_in_tile(layer, tile, [], rule.min_size * metres_per_pixel(11))
    assert served and set(served) <= set(truth)
    # Beyond the rule's size filter, only lines that snap to nothing may vanish at this zoom.
    assert len(truth) - len(served) <= len(truth) * 0.05


def test_point_geometry_lands_on_its_location(http: httpx.Client, users: Users) -> None:
    layer = next(
        lay
        for lay in _served_layers()
        if lay.geometry_type == "Point" and lay.feature_count and lay.min_zoom <= 16
    )
    tile = busy_tile(layer, 16)
    served = _tile_features(http, users.admin, layer.slug, tile)
    from django.db import connection
    from psycopg import sql

    from layers.sources import source_for

    rel = source_for(layer).relation()
    minx, miny, maxx, maxy = tile.bounds_3857()
    size = (maxx - minx) / 4096
    with connection.cursor() as cur:
        for fid, feature in served.items():
            px, py = feature["geometry"]["coordinates"]
            q = sql.SQL(
                "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform({geom}, 3857) g"
                " FROM {rel} WHERE {id} = %s) s"
            ).format(
                geom=sql.Identifier(rel.geom_column),
                rel=rel.relation,
                id=sql.Identifier(rel.id_column),
            )
            cur.execute(q.as_string(cur.connection), [fid])
            x, y = cur.fetchone()
            assert abs(minx + px * size - x) <= size
            assert abs(maxy - py * size - y) <= size
    assert served


def test_composite_tile_carries_each_layer(http: httpx.Client, users: Users) -> None:
    # Buildings are dense in the centre, where roads are too: the tile carries both.
    tile = busy_tile(Layer.objects.get(slug="buildings"), 15)
    r = http.get(f"/tiles/roads,buildings/{tile.z}/{tile.x}/{tile.y}.mvt")
    assert r.status_code == 200
    decoded = _decode(r.content)
    assert set(decoded) - {"buildings_label"} == {"roads", "buildings"}
    for slug in ("roads", "buildings"):
        single = _tile_features(http, users.admin, slug, tile)
        assert single, f"{slug} has no feature in {tile}"
        assert {f["id"] for f in decoded[slug]["features"]} == set(single)


def test_empty_tile_is_204(http: httpx.Client) -> None:
    # Gulf of Guinea at lon 0, lat 0: nothing of Đà Lạt there.
    r = http.get("/tiles/roads/10/512/511.mvt")
    assert r.status_code == 204
    assert r.content == b""


def test_layer_below_its_min_zoom_is_empty(http: httpx.Client) -> None:
    buildings = Layer.objects.get(slug="buildings")
    assert buildings.min_zoom > 5
    tile = busy_tile(buildings, buildings.min_zoom - 1)
    assert http.get(f"/tiles/buildings/{tile.z}/{tile.x}/{tile.y}.mvt").status_code == 204


@pytest.mark.parametrize(
    ("path", "status", "code", "field"),
    [
        ("/tiles/roads/23/0/0.mvt", 400, "invalid_tile", "z"),
        ("/tiles/roads/-1/0/0.mvt", 400, "invalid_tile", "z"),
        ("/tiles/roads/3/8/0.mvt", 400, "invalid_tile", "x"),
        ("/tiles/roads/3/0/8.mvt", 400, "invalid_tile", "y"),
        ("/tiles/roads/3/a/0.mvt", 400, "invalid_tile", "x"),
        ("/tiles/no_such_layer/3/0/0.mvt", 404, "not_found", "layer"),
        ("/tiles/roads,no_such_layer/3/0/0.mvt", 404, "not_found", "layer"),
        (
            "/tiles/" + ",".join(["roads"] * 1 + [f"l{i}" for i in range(20)]) + "/3/0/0.mvt",
            400,
            "too_many_layers",
            "layers",
        ),
        ("/tiles/no_such_layer.json", 404, "not_found", "layer"),
    ],
)
def test_bad_requests_get_json_errors(
    http: httpx.Client, path: str, status: int, code: str, field: str
) -> None:
    r = http.get(path)
    assert r.status_code == status
    body = r.json()
    assert body["code"] == code
    assert body["field"] == field
    assert body["message"]


def test_restricted_layer_needs_permission(http: httpx.Client, users: Users) -> None:
    restricted = Layer.objects.filter(access_level="restricted").first()
    assert restricted is not None, "the demo city has a restricted layer"
    tile = busy_tile(restricted, 14)
    path = f"/tiles/{restricted.slug}/{tile.z}/{tile.x}/{tile.y}.mvt"
    anonymous = http.get(path)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    groups = set(restricted.allowed_groups.values_list("name", flat=True))
    assert "planner" not in groups
    assert http.get(path, headers=_auth(users.planner)).status_code == 403
    assert http.get(path, headers=_auth(users.admin)).status_code == 200
    if "operator" in groups:
        assert http.get(path, headers=_auth(users.operator)).status_code == 200
    bad = http.get(path, headers=_auth("gioc_not-a-real-token"))
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_token"


def test_tilejson(http: httpx.Client, live_url: str) -> None:
    r = http.get("/tiles/roads.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == [f"{live_url}/tiles/roads/{{z}}/{{x}}/{{y}}.mvt"]
    roads = Layer.objects.get(slug="roads")
    assert doc["bounds"] == pytest.approx(roads.extent)
    assert doc["minzoom"] == roads.min_zoom and doc["maxzoom"] == roads.max_zoom
    (vl,) = doc["vector_layers"]
    assert vl["id"] == "roads"
    assert set(vl["fields"]) == {f.name for f in roads.field_defs() if f.access == "public"}
    assert "OpenStreetMap" in doc["attribution"]
    composite = http.get("/tiles/roads,buildings.json").json()
    # An area layer's label points are a vector layer of their own, with what its text reads.
    layers = {v["id"]: v for v in composite["vector_layers"]}
    assert list(layers) == ["roads", "buildings", "buildings_label"]
    assert set(layers["buildings_label"]["fields"]) == {"name"}
    assert layers["buildings_label"]["minzoom"] >= layers["buildings"]["minzoom"]


def test_tiles_are_cut_from_web_mercator() -> None:
    assert Tile(0, 0, 0).bounds_3857() == (-ORIGIN_SHIFT, -ORIGIN_SHIFT, ORIGIN_SHIFT, ORIGIN_SHIFT)
    minx, miny, maxx, maxy = Tile(1, 1, 0).bounds_3857()
    assert (minx, miny, maxx, maxy) == (0.0, 0.0, ORIGIN_SHIFT, ORIGIN_SHIFT)
