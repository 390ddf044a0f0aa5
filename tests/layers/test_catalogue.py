"""The catalogue is read once per process and kept fresh; the access ladder lives in one place."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from geo_ioc.core.errors import NotAuthenticated, NotFound
from layers import access, catalogue, changes
from layers.models import Layer
from tests.conftest import Users
from tests.helpers import auth, own_connection

pytestmark = pytest.mark.django_db
ANONYMOUS = AnonymousUser()


def test_resolving_layers_costs_no_query(django_assert_num_queries) -> None:
    catalogue.snapshot()
    with django_assert_num_queries(0):
        assert access.resolve(ANONYMOUS, "roads").slug == "roads"
        assert [e.slug for e in access.visible_entries(ANONYMOUS)]
        with pytest.raises(NotFound):
            access.resolve(ANONYMOUS, "nope")
        with pytest.raises(NotAuthenticated):
            access.resolve(ANONYMOUS, "incidents")


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/{}.json",
        "/tiles/{}/14/13000/7600.mvt",
        "/ogc/collections/{}",
        "/ogc/collections/{}/items",
        "/ogc/collections/{}/queryables",
    ],
)
def test_one_ladder_everywhere(users: Users, path: str) -> None:
    """Unknown 404, hidden from anonymous 401, hidden from this user 403, on every endpoint."""
    client = Client()
    assert client.get(path.format("nope")).status_code == 404
    assert client.get(path.format("cameras")).status_code == 401
    planner = auth(users.planner)  # cameras are restricted to operators
    assert client.get(path.format("cameras"), headers=planner).status_code == 403
    allowed = client.get(path.format("cameras"), headers=auth(users.operator))
    assert allowed.status_code in {200, 204}  # 204: an empty tile


def test_a_save_in_this_process_is_seen_at_once_and_not_kept_past_a_rollback() -> None:
    assert catalogue.lookup("poi_markets").is_public  # type: ignore[union-attr]
    layer = Layer.objects.get(slug="poi_markets")
    layer.access_level = "staff"
    layer.save()  # rolled back after the test
    entry = catalogue.lookup("poi_markets")
    assert entry is not None and not entry.is_public
    # Read inside the writing transaction, but not kept for other threads and requests.
    assert catalogue.peek() is None


def test_a_change_from_another_process_drops_the_catalogue() -> None:
    """A committed catalogue change arrives through the change feed (as the listener applies it)."""
    catalogue.snapshot()
    changes.apply_pending()  # the listener's first pass: where the feed ends (idempotent)
    first = catalogue.lookup("poi_markets")
    assert first is not None and first.is_public
    update = "UPDATE layers_layer SET access_level = %s WHERE slug = 'poi_markets'"
    with own_connection() as conn:
        conn.execute(update, ["staff"])
    try:
        changes.apply_pending()  # what the listener runs when notified
        entry = catalogue.lookup("poi_markets")
        assert entry is not None and not entry.is_public
        assert Client().get("/ogc/collections/poi_markets/items").status_code == 401
    finally:
        with own_connection() as conn:
            conn.execute(update, ["public"])
        changes.apply_pending()
    again = catalogue.lookup("poi_markets")
    assert again is not None and again.is_public
