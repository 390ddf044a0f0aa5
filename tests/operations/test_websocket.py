"""WebSocket `/ws/live`: subscribe, hear an incident created through the API, replay, access."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from geo_ioc.core.models import Event
from tests.conftest import Users

pytestmark = pytest.mark.django_db


def ws(live_url: str, token: str | None) -> ClientConnection:
    url = live_url.replace("http://", "ws://") + "/ws/live"
    headers = {"Authorization": f"Token {token}"} if token else None
    return connect(url, additional_headers=headers, open_timeout=10)


def receive(conn: ClientConnection) -> dict[str, Any]:
    return dict(json.loads(conn.recv(timeout=20)))


def newest_seq() -> int:
    return int(Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0)


def create(http: httpx.Client, token: str) -> dict[str, Any]:
    body = {"type": "congestion", "severity": 2, "lon": 108.45, "lat": 11.94}
    r = http.post("/incidents", json=body, headers={"Authorization": f"Token {token}"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_subscriber_hears_new_incident(live_url: str, http: httpx.Client, users: Users) -> None:
    with ws(live_url, users.operator) as conn:
        conn.send(json.dumps({"subscribe": ["incidents"]}))
        ack = receive(conn)
        assert ack["type"] == "subscribed" and ack["layers"] == ["incidents"]
        feature = create(http, users.operator)
        event = receive(conn)
    assert event["type"] == "event"
    assert event["operation"] == "create"
    assert event["feature"] == feature
    assert event["seq"] > ack["last_seq"]


def test_subscribe_with_last_seq_replays(live_url: str, http: httpx.Client, users: Users) -> None:
    start = newest_seq()
    missed = [create(http, users.operator)["id"] for _ in range(3)]
    with ws(live_url, users.admin) as conn:
        conn.send(json.dumps({"subscribe": ["incidents"], "last_seq": start}))
        assert receive(conn)["type"] == "subscribed"
        got = [receive(conn) for _ in missed]
    assert [e["feature"]["id"] for e in got] == missed


@pytest.mark.parametrize(
    ("token", "message", "code"),
    [
        (None, {"subscribe": ["incidents"]}, "not_authenticated"),
        ("operator", {"subscribe": ["no_such_layer"]}, "not_found"),
        ("operator", {"subscribe": "incidents"}, "invalid_parameter"),
        ("operator", {"subscribe": ["incidents"], "last_seq": -1}, "invalid_parameter"),
    ],
)
def test_bad_subscription_is_an_error_frame(
    live_url: str, users: Users, token: str | None, message: dict[str, Any], code: str
) -> None:
    with ws(live_url, users.operator if token else None) as conn:
        conn.send(json.dumps(message))
        reply = receive(conn)
    assert reply["type"] == "error"
    assert reply["code"] == code
