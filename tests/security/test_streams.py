"""Live sockets and streams against a real server: Origin, re-authorisation, no token in the log."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from geo_ioc.core.models import ApiToken
from tests.conftest import ARTIFACTS

PASSWORD = "rừng-thông-" + uuid.uuid4().hex[:8]


@pytest.fixture
def operator(django_db_blocker: Any, live_url: str) -> Iterator[tuple[Any, str]]:
    """A committed operator with a password and a token of its own."""
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user(f"ws_{uuid.uuid4().hex[:8]}", password=PASSWORD)
        user.groups.add(Group.objects.get(name="operator"))
        _, key = ApiToken.issue(user, name="ws")
    yield user, key


def ws(url: str, **kw: Any) -> ClientConnection:
    return connect(url.replace("http://", "ws://") + "/ws/live", open_timeout=10, **kw)


def closed_after_revocation(conn: ClientConnection) -> tuple[dict[str, Any], int | None]:
    """The error frame and the close code the server sends when the credential ends."""
    frame: dict[str, Any] = {}
    try:
        while True:
            message = json.loads(conn.recv(timeout=30))
            if message.get("type") == "error":
                frame = message
    except ConnectionClosed as closed:
        return frame, closed.rcvd.code if closed.rcvd else None
    raise AssertionError("still open")


def test_cross_origin_page_is_refused(live_url: str, operator: tuple[Any, str]) -> None:
    _, key = operator
    port = int(live_url.rsplit(":", 1)[1])
    other = f"http://127.0.0.1:{port + 1}"
    headers = {"Authorization": f"Token {key}"}
    with pytest.raises(InvalidStatus) as refused:
        ws(live_url, origin=other, additional_headers=headers)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
    with ws(live_url, origin=live_url, additional_headers=headers) as same:  # type: ignore[arg-type]
        same.send(json.dumps({"type": "wall_join", "wall": "main"}))
        assert json.loads(same.recv(timeout=20))["type"] == "wall_joined"


def test_revoked_token_closes_socket_and_sse(live_url: str, operator: tuple[Any, str]) -> None:
    _, key = operator
    # The token as a subprotocol: a header, never in the URL.
    with (
        ws(live_url, subprotocols=["geo-ioc", f"token.{key}"]) as conn,
        httpx.stream(  # type: ignore[list-item]
            "GET",
            f"{live_url}/live/events?layers=incidents",
            headers={"Authorization": f"Token {key}"},
            timeout=30,
        ) as sse,
    ):
        assert conn.subprotocol == "geo-ioc"
        conn.send(json.dumps({"subscribe": ["incidents"]}))
        assert json.loads(conn.recv(timeout=20))["type"] == "subscribed"
        assert sse.status_code == 200
        # Rotated away at once, through the server (its process writes the revocation).
        r = httpx.post(
            f"{live_url}/auth/token/rotate?grace_hours=0",
            headers={"Authorization": f"Token {key}"},
            timeout=30,
        )
        assert r.status_code == 201
        frame, code = closed_after_revocation(conn)
        assert (frame.get("code"), code) == ("not_authenticated", 4401)
        body = b"".join(sse.iter_raw())
        assert b"event: error" in body and b"not_authenticated" in body


def test_logout_closes_the_session_socket(live_url: str, operator: tuple[Any, str]) -> None:
    user, _ = operator
    with httpx.Client(base_url=live_url, timeout=30) as browser:
        browser.get("/login")
        csrf = browser.cookies["csrftoken"]
        r = browser.post(
            "/login",
            data={"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{live_url}/login"},
        )
        assert r.status_code == 302, r.text
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        with ws(live_url, origin=live_url, additional_headers={"Cookie": cookie}) as conn:  # type: ignore[arg-type]
            conn.send(json.dumps({"subscribe": ["incidents"]}))
            assert json.loads(conn.recv(timeout=20))["type"] == "subscribed"
            out = browser.post(
                "/logout",
                data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                headers={"Referer": f"{live_url}/"},
            )
            assert out.status_code == 302
            frame, code = closed_after_revocation(conn)
            assert code == 4401


def test_query_token_is_not_in_the_access_log(live_url: str, operator: tuple[Any, str]) -> None:
    _, key = operator
    url = live_url.replace("http://", "ws://") + f"/ws/live?token={key}"
    with connect(url, open_timeout=10) as conn:
        conn.send(json.dumps({"subscribe": ["incidents"]}))
        assert json.loads(conn.recv(timeout=20))["type"] == "subscribed"
    httpx.get(f"{live_url}/layers?token={key}", timeout=30)
    log = (ARTIFACTS / "server.log").read_text(errors="replace")
    assert key not in log
    assert re.search(r"token=\[redacted\]", log)
