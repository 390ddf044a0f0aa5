"""`/schema` is true to the data: sampled features of every collection validate against it."""

from __future__ import annotations

import httpx
import pytest
from jsonschema import Draft202012Validator

from layers.models import Layer
from tests.conftest import Users
from tests.ogc.helpers import auth

pytestmark = pytest.mark.django_db
SAMPLE = 500


def test_sampled_features_validate_against_their_schema(http: httpx.Client, users: Users) -> None:
    checked = 0
    for slug in Layer.objects.order_by("slug").values_list("slug", flat=True):
        headers = auth(users.admin)
        r = http.get(f"/ogc/collections/{slug}/schema", headers=headers)
        if r.status_code == 404:
            continue  # a layer without features (not SQL) has no schema
        assert r.status_code == 200, (slug, r.text)
        schema = r.json()
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        page = http.get(
            f"/ogc/collections/{slug}/items", params={"limit": SAMPLE}, headers=headers
        ).json()
        for feature in page["features"]:
            errors = [e.message for e in validator.iter_errors(feature)]
            assert not errors, (slug, feature["id"], errors[:3])
            checked += 1
    assert checked > 3000


def test_nullable_fields_hold_nulls_and_say_so(http: httpx.Client) -> None:
    schema = http.get("/ogc/collections/roads/schema").json()
    lanes = schema["properties"]["properties"]["properties"]["lanes"]
    assert lanes["type"] == ["integer", "null"]
    nulls = http.get(
        "/ogc/collections/roads/items", params={"filter": "lanes IS NULL", "limit": 1}
    ).json()
    assert nulls["numberMatched"] > 0 and nulls["features"][0]["properties"]["lanes"] is None
    # The dialect GDAL types its fields from: one type word, NULL allowed by `nullable`.
    openapi = http.get("/ogc/collections/roads/schema", params={"dialect": "openapi"}).json()
    lanes = openapi["properties"]["properties"]["properties"]["lanes"]
    assert lanes["type"] == "integer" and lanes["nullable"] is True
    assert http.get("/ogc/collections/roads/schema", params={"dialect": "xsd"}).status_code == 400
