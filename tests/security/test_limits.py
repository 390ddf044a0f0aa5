"""Brute-force defence: lockouts, failed tokens, write and export limits, passwords, tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone

from geo_ioc.core import throttle
from geo_ioc.core.models import ApiToken

pytestmark = pytest.mark.django_db
STRONG = "đồi-thông-hai-mộ-" + uuid.uuid4().hex[:6]


def limits(**rules: tuple[int, int]) -> Any:
    from django.conf import settings

    return override_settings(GEO_IOC_THROTTLE={**settings.GEO_IOC_THROTTLE, **rules})


def client(ip: str = "10.1.2.3") -> Client:
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=ip)


def _login(c: Client, username: str, password: str) -> Any:
    return c.post("/login", {"username": username, "password": password})


def _user(role: str = "operator") -> Any:
    user = get_user_model().objects.create_user(f"u{uuid.uuid4().hex[:8]}", password=STRONG)
    user.groups.add(Group.objects.get(name=role))
    return user


def _is_429(r: Any) -> None:
    assert r.status_code == 429, r.content
    assert r.json()["code"] == "throttled"
    assert int(r["Retry-After"]) >= 1


def test_account_lockout_refuses_even_the_right_password() -> None:
    user = _user()
    with limits(login_account=(3, 600), login_ip=(100, 600)):
        for n in range(3):
            assert _login(client(f"10.0.0.{n}"), user.username, "wrong").status_code == 200
        _is_429(_login(client("10.9.9.9"), user.username, STRONG))
        other = _user()
        assert _login(client("10.9.9.9"), other.username, STRONG).status_code == 302


def test_address_lockout_and_success_clears_the_account() -> None:
    a, b = _user(), _user()
    with limits(login_account=(3, 600), login_ip=(4, 600)):
        c = client("10.7.7.7")
        assert _login(c, a.username, "wrong").status_code == 200
        assert _login(c, a.username, STRONG).status_code == 302  # clears a's failures
        for _ in range(3):
            assert _login(client("10.7.7.7"), b.username, "wrong").status_code == 200
        _is_429(_login(client("10.7.7.7"), a.username, STRONG))  # 4 failures from this address


def test_failed_tokens_are_throttled_per_address(users: Any) -> None:
    with limits(token_ip=(3, 300)):
        c = client("10.3.3.3")
        for _ in range(3):
            r = c.get("/layers", HTTP_AUTHORIZATION=f"Token gioc_{uuid.uuid4().hex}")
            assert r.status_code == 401
        _is_429(c.get("/layers", HTTP_AUTHORIZATION=f"Token {users.operator}"))
        assert (
            client("10.4.4.4")
            .get("/layers", HTTP_AUTHORIZATION=f"Token {users.operator}")
            .status_code
            == 200
        )


def test_writes_and_export_starts_are_limited() -> None:
    # A user of its own: the shared test server counts the suite's users' writes too.
    _, key = ApiToken.issue(_user())
    h = {"HTTP_AUTHORIZATION": f"Token {key}"}
    body = {"type": "fire", "severity": 1, "lon": 108.44, "lat": 11.94}
    with limits(write=(2, 60), export=(1, 600)):
        c = client()
        for _ in range(2):
            assert (
                c.post("/incidents", body, content_type="application/json", **h).status_code == 201
            )
        _is_429(c.post("/incidents", body, content_type="application/json", **h))
        assert c.get("/export/districts_vn2000?format=geojson", **h).status_code == 200
        _is_429(c.get("/export/districts_vn2000?format=geojson", **h))


def test_password_policy_in_createuser_and_admin() -> None:
    with pytest.raises(CommandError, match="password refused"):
        call_command("createuser", "weak", "--role", "operator", "--password", "1")
    assert not get_user_model().objects.filter(username="weak").exists()
    call_command(
        "createuser", "strong", "--role", "operator", "--password", STRONG, stdout=StringIO()
    )
    admin = get_user_model().objects.create_superuser(
        "root_" + uuid.uuid4().hex[:6], password=STRONG
    )
    c = client()
    c.force_login(admin)
    r = c.post(
        "/admin/auth/user/add/",
        {"username": "weak2", "password1": "1", "password2": "1", "usable_password": "true"},
    )
    assert r.status_code == 200 and not get_user_model().objects.filter(username="weak2").exists()


def test_token_expiry_scopes_and_rotation() -> None:
    user = _user()
    token, key = ApiToken.issue(user)
    assert token.expires_at is not None and token.expires_at > timezone.now() + timedelta(days=89)
    c = client()
    assert c.get("/layers", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert c.get("/layers", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401

    _, read = ApiToken.issue(user, scope="read")
    body = {"type": "fire", "severity": 1, "lon": 108.44, "lat": 11.94}
    assert c.get("/incidents", HTTP_AUTHORIZATION=f"Token {read}").status_code == 200
    r = c.post(
        "/incidents", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {read}"
    )
    assert (r.status_code, r.json()["code"]) == (403, "token_scope")

    _, gateway = ApiToken.issue(user, scope="gateway")
    assert c.get("/incidents", HTTP_AUTHORIZATION=f"Token {gateway}").status_code == 403
    r = c.post(
        "/sensors/readings",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {gateway}",
    )
    assert r.status_code != 403  # past the scope: the body is what is judged

    _, old = ApiToken.issue(user)
    r = c.post("/auth/token/rotate?grace_hours=1", HTTP_AUTHORIZATION=f"Token {old}")
    assert r.status_code == 201
    new = r.json()["token"]
    assert c.get("/layers", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200
    assert c.get("/layers", HTTP_AUTHORIZATION=f"Token {old}").status_code == 200  # grace
    r = c.post("/auth/token/rotate?grace_hours=0", HTTP_AUTHORIZATION=f"Token {new}")
    assert c.get("/layers", HTTP_AUTHORIZATION=f"Token {new}").status_code == 401
    out = StringIO()
    call_command("token", "rotate", r.json()["prefix"], "--grace-hours", "0", stdout=out)
    newest = out.getvalue().rsplit(": ", 1)[1].strip()
    assert c.get("/layers", HTTP_AUTHORIZATION=f"Token {newest}").status_code == 200
    assert c.get("/layers", HTTP_AUTHORIZATION=f"Token {r.json()['token']}").status_code == 401


def test_redis_store_counts_across_clients(settings: Any) -> None:
    store = throttle.RedisStore("redis://127.0.0.1:6379/0")
    key = f"{throttle.PREFIX}test:{uuid.uuid4().hex}"
    try:
        assert [store.hit(key, 30)[0] for _ in range(3)] == [1, 2, 3]
        assert throttle.RedisStore("redis://127.0.0.1:6379/0").peek(key)[0] == 3
    finally:
        store.clear(key)
