"""`GET /layers` and the access levels of the catalogue."""

from __future__ import annotations

import httpx
import pytest
from django.test import RequestFactory

from layers import queries
from layers.models import Layer
from tests.conftest import Users

pytestmark = pytest.mark.django_db


def _slugs(body: dict) -> set[str]:
    return {entry["slug"] for entry in body["layers"]}


def test_anonymous_sees_only_public_layers(http: httpx.Client) -> None:
    r = http.get("/layers")
    assert r.status_code == 200
    body = r.json()
    public = set(Layer.objects.filter(access_level="public").values_list("slug", flat=True))
    assert _slugs(body) == public
    roads = next(e for e in body["layers"] if e["slug"] == "roads")
    assert roads["title"]["vi"] and roads["title"]["en"]
    assert roads["domain"] in {"base", "transport"}
    assert roads["geometry_type"] in {"LineString", "MultiLineString"}
    assert len(roads["extent"]) == 4 and roads["extent"][0] < roads["extent"][2]
    assert roads["links"]["tilejson"].endswith("/tiles/roads.json")
    assert roads["feature_count"] == Layer.objects.get(slug="roads").feature_count > 0


def test_roles_see_more(http: httpx.Client, users: Users) -> None:
    anonymous = _slugs(http.get("/layers").json())
    planner = _slugs(
        http.get("/layers", headers={"Authorization": f"Token {users.planner}"}).json()
    )
    admin = _slugs(http.get("/layers", headers={"Authorization": f"Bearer {users.admin}"}).json())
    staff = set(Layer.objects.filter(access_level="staff").values_list("slug", flat=True))
    restricted = set(Layer.objects.filter(access_level="restricted").values_list("slug", flat=True))
    assert staff and restricted
    assert anonymous < planner < admin
    assert staff <= planner and not (restricted & planner)
    assert admin == set(Layer.objects.values_list("slug", flat=True))


def test_synthetic_layers_are_marked(http: httpx.Client, users: Users) -> None:
    body = http.get("/layers", headers={"Authorization": f"Token {users.admin}"}).json()
    synthetic = {e["slug"] for e in body["layers"] if e["synthetic"]}
    assert {"cameras", "incidents"} <= synthetic
    assert "roads" not in synthetic


def test_catalogue_queries_do_not_grow_with_layers(django_assert_max_num_queries) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/layers", HTTP_HOST="localhost")
    request.user = AnonymousUser()
    with django_assert_max_num_queries(2):
        body = queries.catalogue(request)
    assert len(body["layers"]) >= 5


def test_unknown_path_is_a_json_404(http: httpx.Client) -> None:
    r = http.get("/no/such/thing")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
