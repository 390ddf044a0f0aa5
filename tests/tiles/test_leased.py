"""Tile statements in a tile thread run prepared on a connection leased from the psycopg pool."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from layers.models import Layer
from tests.tiles.truth import busy_tile
from tiles import queries, threads

pytestmark = pytest.mark.django_db


def _render_and_look() -> tuple[bytes, list[str], Any]:
    user = AnonymousUser()
    tile = busy_tile(Layer.objects.get(slug="roads"), 14)
    body = queries.render_tile(user, queries.resolve_layers(user, ["roads"]), tile)
    leased = threads.lease()
    assert leased is not None
    rows = leased.execute("SELECT statement FROM pg_prepared_statements").fetchall()
    assert leased.autocommit
    return body, [r[0] for r in rows], leased


def test_a_tile_statement_is_prepared_on_a_leased_connection_given_back_as_it_was() -> None:
    body, prepared, leased = asyncio.run(threads.run(_render_and_look))
    assert body and any("ST_AsMVT" in text for text in prepared), prepared
    assert threads.lease() is None  # outside a tile task: Django's own connection
    # Back in the pool as Django left it: psycopg's prepared statements off again.
    assert leased.prepare_threshold is None and not leased.closed
