"""Holder fields: hidden from anonymous users and planners, shown to land officers, audited."""

from __future__ import annotations

import math

import httpx
import mapbox_vector_tile
import pytest

from geo_ioc.land.models import AuditEntry, Parcel
from tests.conftest import Users
from tests.land.conftest import KnownParcel, auth

pytestmark = pytest.mark.django_db
RESTRICTED = {"holder_name", "certificate_no"}


def test_anonymous_and_planner_never_see_holders(
    http: httpx.Client, users: Users, known_parcels: list[KnownParcel]
) -> None:
    p = known_parcels[0]
    before = AuditEntry.objects.count()
    for token in (None, users.planner, users.operator):
        detail = http.get(f"/land/parcels/{p.id}", headers=auth(token)).json()
        assert not RESTRICTED & set(detail["properties"])
        looked = http.get(
            "/land/parcels/lookup",
            params={"ward": p.ward, "sheet": p.sheet, "parcel": p.number},
            headers=auth(token),
        ).json()
        assert not RESTRICTED & set(looked["properties"])
        clicked = http.get(
            "/land/parcels/at", params={"lon": p.lon, "lat": p.lat}, headers=auth(token)
        ).json()
        assert not RESTRICTED & set(clicked["features"][0]["properties"])
    assert AuditEntry.objects.count() == before


def test_land_officer_and_admin_see_holders_and_each_read_is_audited(
    http: httpx.Client, users: Users, land_officer: str, known_parcels: list[KnownParcel]
) -> None:
    p = known_parcels[1]
    parcel = Parcel.objects.get(pk=p.id)
    for token, username in ((land_officer, "test_land_officer"), (users.admin, "test_admin")):
        before = AuditEntry.objects.filter(object_id=p.id).count()
        detail = http.get(f"/land/parcels/{p.id}", headers=auth(token)).json()
        assert detail["properties"]["holder_name"] == parcel.holder_name != ""
        assert detail["properties"]["certificate_no"] == parcel.certificate_no
        http.get(
            "/land/parcels/lookup",
            params={"ward": p.ward, "sheet": p.sheet, "parcel": p.number},
            headers=auth(token),
        )
        entries = list(AuditEntry.objects.filter(object_id=p.id).order_by("id"))[before:]
        assert len(entries) == 2
        for entry in entries:
            assert entry.username == username and entry.user is not None
            assert entry.object_type == "land.parcel" and entry.object_label == parcel.label
            assert set(entry.fields) == RESTRICTED
        assert entries[0].path == f"/land/parcels/{p.id}"
        assert entries[1].path.startswith("/land/parcels/lookup?")


def test_tiles_never_carry_holder_fields(
    http: httpx.Client, land_officer: str, known_parcels: list[KnownParcel]
) -> None:
    p, z = known_parcels[0], 16
    n = 2**z
    x = int((p.lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(p.lat))) / math.pi) / 2 * n)
    r = http.get(f"/tiles/parcels/{z}/{x}/{y}.mvt", headers=auth(land_officer))
    assert r.status_code == 200
    features = mapbox_vector_tile.decode(r.content)["parcels"]["features"]
    assert features
    for feature in features:
        assert not RESTRICTED & set(feature["properties"])
        assert "land_use" in feature["properties"]
