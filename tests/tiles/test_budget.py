"""Bounded tiles for any imported layer: derived rules, the serve-time budget, label points.

A dense synthetic district (seeded: thousands of small buildings around a few large ones, and
a cloud of points) is imported through the real import path; tiles are rendered by the server's
statement and decoded, and checked against PostGIS. The cap is set low (64 KB) so that a small
layer, quick to load, is already far over it without rules.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from psycopg import sql

from layers.imports import Generalize, LayerOptions, import_file
from layers.models import Layer
from layers.readers import ReadOptions
from tiles import api, catalogue, queries
from tiles.tms import Tile, lonlat_to_tile

pytestmark = pytest.mark.django_db
CAP = 64 * 1024
CENTRE = (108.45, 11.95)
# Ids in the generated frame: the large buildings come first.
LARGE = 6


def district(seed: int = 15, n: int = 6000) -> gpd.GeoDataFrame:
    """Small 16-gon buildings packed in ~2 km, and a few large ones (a market, a school)."""
    rng = np.random.default_rng(seed)
    xs = CENTRE[0] + rng.normal(0, 0.006, n)
    ys = CENTRE[1] + rng.normal(0, 0.006, n)
    # The large ones near the centre, so each zoom's centre tile holds them.
    xs[:LARGE] = CENTRE[0] + np.linspace(-0.003, 0.003, LARGE)
    ys[:LARGE] = CENTRE[1] + 0.002
    radius = np.r_[np.full(LARGE, 0.0012), rng.uniform(0.00004, 0.0001, n - LARGE)]
    shapes = shapely.buffer(shapely.points(xs, ys), radius, quad_segs=4)
    kinds = rng.choice(["house", "shop", "office"], n)
    return gpd.GeoDataFrame(
        {
            "name": [f"Nhà {i}" for i in range(n)],
            "kind": kinds,
            "note": [f"ghi chú dài {i} " * 3 for i in range(n)],
        },
        geometry=shapes,
        crs=4326,
    )


def cloud(seed: int = 16, n: int = 8000) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    xs = CENTRE[0] + rng.normal(0, 0.01, n)
    ys = CENTRE[1] + rng.normal(0, 0.01, n)
    return gpd.GeoDataFrame(
        {"kind": rng.choice(["a", "b"], n)}, geometry=shapely.points(xs, ys), crs=4326
    )


def _import(
    frame: gpd.GeoDataFrame, slug: str, tmp: Path, generalize: Generalize = Generalize.AUTO
) -> Layer:
    path = tmp / f"{slug}.gpkg"
    frame.to_file(path, driver="GPKG")
    opts = LayerOptions(slug=slug, generalize=generalize)
    layer = import_file(path, ReadOptions(), opts, progress=False).layer
    catalogue.forget()
    return layer


@pytest.fixture
def cap(settings: object) -> Iterator[int]:
    settings.GEO_IOC_TILE_MAX_BYTES = CAP  # type: ignore[attr-defined]
    yield CAP


def _render(slug: str, tile: Tile) -> tuple[bytes, int]:
    admin = get_user_model().objects.get(username="test_admin")
    return queries.render_budgeted(admin, queries.resolve_layers(admin, [slug]), tile)


def _decode(body: bytes) -> dict:
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})


def _check_zooms(slug: str, cap: int) -> int:
    """Every zoom's centre tile is under the cap with the large buildings; returns squeezes."""
    squeezed = 0
    for z in (11, 12, 13, 14):
        tile = lonlat_to_tile(*CENTRE, z)
        body, squeeze = _render(slug, tile)
        assert len(body) <= cap, f"{slug} {tile}: {len(body)} bytes"
        ids = {f["id"] for f in _decode(body)[slug]["features"]}
        assert set(range(1, LARGE + 1)) <= ids, f"{slug} {tile}: large buildings lost"
        squeezed += squeeze
    return squeezed


def test_the_budget_and_derived_rules_keep_every_tile_under_the_cap(
    users: object, tmp_path: Path, cap: int
) -> None:
    layer = _import(district(), "dense", tmp_path, Generalize.OFF)
    assert layer.generalize == []
    admin = get_user_model().objects.get(username="test_admin")
    for z in (11, 12, 13):  # the layer as it is (no rules, no budget) is far over the cap
        tile = lonlat_to_tile(*CENTRE, z)
        assert len(queries._render(admin, queries.resolve_layers(admin, ["dense"]), tile, 0)) > cap
    # The serve-time budget alone keeps it under, and says so.
    assert _check_zooms("dense", cap) > 0
    call_command("publish", "dense", stdout=io.StringIO())
    catalogue.forget()
    tile = lonlat_to_tile(*CENTRE, 12)
    # The view's own (sync) body in this thread: the layer exists in this test's transaction.
    request = RequestFactory().get(f"/tiles/dense/{tile.z}/{tile.x}/{tile.y}.mvt")
    request.user = AnonymousUser()
    r = api._tile(request, "dense", str(tile.z), str(tile.x), str(tile.y))
    assert r.status_code == 200 and len(r.content) <= cap
    assert r["X-Tile-Budget"] == f"squeezed={_render('dense', tile)[1]}; max-bytes={cap}"
    # Rules derived from the data (as `geo-ioc import` does by default), edited from the CLI.
    out = io.StringIO()
    call_command("generalize", "dense", "--derive", stdout=out)
    catalogue.forget()
    rules = Layer.objects.get(slug="dense").definition().generalize
    assert "min size" in out.getvalue()
    # The dense zooms are thinned: simplification, sizes, and only names and categories.
    assert any(r.min_size > 0 and r.tolerance > 0 for r in rules), rules
    assert any(r.fields == ["name", "kind"] for r in rules), rules
    _check_zooms("dense", cap)


def test_clusters_count_every_point_of_the_tile(users: object, tmp_path: Path) -> None:
    layer = _import(cloud(), "dense_points", tmp_path)
    # 8000 points within a few km: a smear up to z11, clustered there, drawn one by one above.
    rule = layer.definition().rule_for(11)
    assert rule is not None and rule.cluster, layer.generalize
    assert layer.definition().rule_for(13) is None, layer.generalize
    for z in (9, 10, 11):
        tile = lonlat_to_tile(*CENTRE, z)
        body, squeeze = _render("dense_points", tile)
        assert squeeze == 0
        feats = _decode(body)["dense_points"]["features"]
        inside = [f for f in feats if all(0 <= c <= 4096 for c in f["geometry"]["coordinates"])]
        query = sql.SQL(
            "SELECT count(*), count(DISTINCT (floor((ST_X(geom_3857) - ST_XMin(e)) / %(c)s),"
            " floor((ST_Y(geom_3857) - ST_YMin(e)) / %(c)s)))"
            " FROM {t}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s) e"
            " WHERE ST_X(geom_3857) BETWEEN ST_XMin(e) AND ST_XMax(e)"
            " AND ST_Y(geom_3857) BETWEEN ST_YMin(e) AND ST_YMax(e)"
        ).format(t=sql.Identifier("layer_data", "dense_points"))
        cell = layer.definition().rule_for(z).cluster  # type: ignore[union-attr]
        size = 2 * 20037508.342789244 / (1 << z) * cell / 512
        with connection.cursor() as cur:
            cur.execute(
                query.as_string(cur.connection),
                {"z": tile.z, "x": tile.x, "y": tile.y, "c": size},
            )
            points, cells = cur.fetchone()
        assert sum(f["properties"]["point_count"] for f in inside) == points, tile
        assert len(inside) == cells, tile


def test_each_ward_has_one_label_point_across_neighbouring_tiles(users: object) -> None:
    admin = get_user_model().objects.get(username="test_admin")
    entries = queries.resolve_layers(admin, ["admin_units"])
    z = 14
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, ST_X(p), ST_Y(p) FROM layer_data.admin_units,"
            " ST_PointOnSurface(geom_3857) p WHERE level = 3"
        )
        wards = cur.fetchall()
    assert wards
    # The tiles holding the wards' label points, and every neighbour of each.
    homes = {lonlat_to_tile(*_lonlat(x, y), z) for _, x, y in wards}
    block = {Tile(z, t.x + dx, t.y + dy) for t in homes for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
    seen: dict[int, list[Tile]] = {}
    for tile in block:
        decoded = _decode(queries.render_tile(admin, entries, tile))
        for feature in decoded.get("admin_units_label", {}).get("features", []):
            seen.setdefault(feature["id"], []).append(tile)
            assert feature["geometry"]["type"] == "Point"
    for fid, _, _ in wards:
        assert len(seen.get(fid, [])) == 1, f"ward {fid} labelled in {seen.get(fid)}"
    # An area layer's text reads its label points in the default style.
    style = Client().get("/styles/all.json").json()
    texts = [
        s for s in style["layers"] if s.get("metadata", {}).get("geo-ioc:layer") == "admin_units"
    ]
    assert any(s["source-layer"] == "admin_units_label" for s in texts if s["type"] == "symbol")


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon = x / 20037508.342789244 * 180
    lat = np.degrees(2 * np.arctan(np.exp(y / 6378137.0)) - np.pi / 2)
    return lon, float(lat)
