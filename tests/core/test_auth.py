"""Users, roles and API tokens."""

from __future__ import annotations

from io import StringIO

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from geo_ioc.core.models import ApiToken, hash_key

pytestmark = pytest.mark.django_db


def test_createuser_issues_a_working_token() -> None:
    out = StringIO()
    call_command(
        "createuser",
        "lan",
        "--role",
        "land_officer",
        "--role",
        "planner",
        "--no-password",
        "--token",
        stdout=out,
    )
    key = out.getvalue().rsplit(": ", 1)[1].strip()
    user = get_user_model().objects.get(username="lan")
    assert set(user.groups.values_list("name", flat=True)) == {"land_officer", "planner"}
    assert not user.has_usable_password()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    client = Client(HTTP_HOST="localhost")
    slugs = {
        e["slug"] for e in client.get("/layers", HTTP_AUTHORIZATION=f"Token {key}").json()["layers"]
    }
    anonymous = {e["slug"] for e in client.get("/layers").json()["layers"]}
    assert anonymous < slugs


def test_revoked_token_is_refused() -> None:
    user = get_user_model().objects.create(username="gone")
    token, key = ApiToken.issue(user)
    token.revoked = True
    token.save()
    r = Client(HTTP_HOST="localhost").get("/layers", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"
    assert r.headers["WWW-Authenticate"].startswith("Token")


def test_wrong_method_is_a_json_405(http: httpx.Client) -> None:
    r = http.delete("/layers")
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]


def test_unsafe_method_on_read_only_view_is_405_not_csrf(http: httpx.Client) -> None:
    r = http.post("/layers")
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"
