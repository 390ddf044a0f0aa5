"""A committed land officer for the land tests, and fixture parcels picked from the demo."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import Users


@dataclass(frozen=True)
class KnownParcel:
    """A demo parcel with its key and a point inside it."""

    id: int
    ward: str
    sheet: int
    number: int
    lon: float
    lat: float


@pytest.fixture(scope="session")
def land_officer(users: Users, django_db_blocker: pytest.FixtureRequest) -> str:
    """API token of a committed user in the land_officer group."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from geo_ioc.core.models import ApiToken
    from geo_ioc.core.roles import Role

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        user, _ = get_user_model().objects.get_or_create(username="test_land_officer")
        user.groups.add(Group.objects.get(name=Role.LAND_OFFICER.value))
        _, key = ApiToken.issue(user, name="tests")
    return key


@pytest.fixture(scope="session")
def known_parcels(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> list[KnownParcel]:
    """A seeded sample of demo parcels across wards, each with a point on its surface."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            "SELECT id, ward_code, sheet, number, ST_X(pt), ST_Y(pt) FROM ("
            " SELECT DISTINCT ON (ward_code) id, ward_code, sheet, number,"
            "  ST_PointOnSurface(geom) AS pt FROM land_parcel"
            "  ORDER BY ward_code, md5(id::text)) s ORDER BY ward_code"
        )
        return [KnownParcel(*row) for row in cur.fetchall()]


def auth(token: str | None) -> dict[str, str]:
    """The Authorization header of a token (none for anonymous)."""
    return {"Authorization": f"Token {token}"} if token else {}
