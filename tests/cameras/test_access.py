"""Who sees what: stream and snapshot URLs for admins only, in every output; ANPR for police."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import mapbox_vector_tile
import pytest

from geo_ioc.cameras.models import Camera
from layers.models import Layer
from tests.conftest import Users
from tests.helpers import auth, own_connection
from tests.tiles.truth import busy_tile

pytestmark = pytest.mark.django_db
SECRETS = ("rtsp://", "snapshot_url", "stream_url", "vms.dalat.local")


def clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.fixture(scope="module")
def police(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[str]:
    """A committed user of the police role, with an API token."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from geo_ioc.core.models import ApiToken
    from geo_ioc.core.roles import Role, ensure_groups

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        ensure_groups()
        user, _ = get_user_model().objects.get_or_create(username="test_police")
        user.groups.add(Group.objects.get(name=Role.POLICE.value))
        _, key = ApiToken.issue(user, name="tests")
    yield key


def test_urls_only_for_admins_in_the_api(http: httpx.Client, users: Users) -> None:
    operator = http.get("/cameras", headers=auth(users.operator))
    assert (
        operator.status_code == 200 and len(operator.json()["features"]) == Camera.objects.count()
    )
    clean(operator.text)
    clean(http.get("/cameras/CAM-001", headers=auth(users.operator)).text)
    admin = http.get("/cameras/CAM-001", headers=auth(users.admin)).json()["properties"]
    assert admin["stream_url"].startswith("rtsp://") and admin["snapshot_url"].startswith("http")
    assert http.get("/cameras").status_code == 401
    assert http.get("/cameras", headers=auth(users.planner)).status_code == 403
    assert http.get("/cameras/NO-SUCH", headers=auth(users.operator)).status_code == 404


def test_urls_never_in_tiles_ogc_or_exports(http: httpx.Client, users: Users) -> None:
    for token in (users.operator, users.admin):
        items = http.get("/ogc/collections/cameras/items?limit=100", headers=auth(token))
        assert items.status_code == 200 and items.json()["numberMatched"] == Camera.objects.count()
        clean(items.text)
        export = http.get("/export/cameras", params={"format": "geojson"}, headers=auth(token))
        assert export.status_code == 200
        clean(export.text)
        tile = busy_tile(Layer.objects.get(slug="cameras"), 15)
        got = http.get(f"/tiles/cameras/{tile.z}/{tile.x}/{tile.y}.mvt", headers=auth(token))
        assert got.status_code == 200
        decoded = mapbox_vector_tile.decode(got.content)
        features = decoded["cameras"]["features"]
        assert features
        for f in features:
            assert not set(f["properties"]) & {"stream_url", "snapshot_url", "privacy_masks"}
            clean(str(f["properties"]))


def test_search_finds_cameras_without_urls(http: httpx.Client, users: Users) -> None:
    got = http.get("/search", params={"q": "CAM-00"}, headers=auth(users.operator))
    assert got.status_code == 200
    cams = [r for r in got.json()["results"] if r["kind"] == "camera"]
    assert cams and all(r["title"].startswith("CAM-00") for r in cams)
    clean(got.text)
    assert not [
        r
        for r in http.get("/search", params={"q": "CAM-00"}, headers=auth(users.planner)).json()[
            "results"
        ]
        if r["kind"] == "camera"
    ]


def test_anpr_only_for_police(http: httpx.Client, users: Users, police: str) -> None:
    now = datetime.now(UTC)
    read = {
        "id": f"t-{now.timestamp()}",
        "camera": "CAM-002",
        "plate": "49A-123.45",
        "violation": "Vượt đèn đỏ",
        "at": now.isoformat(),
    }
    old = {**read, "id": read["id"] + "-old", "at": (now - timedelta(days=400)).isoformat()}
    try:
        assert (
            http.post("/cameras/anpr", json=[read], headers=auth(users.operator)).status_code == 403
        )
        sent = http.post("/cameras/anpr", json=[read, old, read], headers=auth(police))
        assert sent.status_code == 200, sent.text
        body = sent.json()
        assert (body["inserted"], body["duplicates"]) == (1, 1)
        assert body["rejected"] == [{"index": 1, "reason": "at: older than the retention limit"}]
        assert (
            http.get("/ogc/collections/anpr_events/items", headers=auth(users.operator)).status_code
            == 403
        )
        assert http.get("/export/anpr_events", headers=auth(users.operator)).status_code == 403
        items = http.get("/ogc/collections/anpr_events/items", headers=auth(police))
        assert items.status_code == 200
        plates = [f["properties"]["plate"] for f in items.json()["features"]]
        assert "49A-123.45" in plates
        layers = {
            layer["slug"] for layer in http.get("/layers", headers=auth(police)).json()["layers"]
        }
        assert {"anpr_events", "cameras"} <= layers
    finally:
        with own_connection() as conn:  # the server committed them
            conn.execute("DELETE FROM cameras_anprevent WHERE source_id LIKE 't-%%'")
