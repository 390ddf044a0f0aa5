"""Server-Sent Events: a client hears an incident created through the API, and a client that
reconnects with Last-Event-ID gets what it missed."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from geo_ioc.core.models import Event
from tests.conftest import Users

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def newest_seq() -> int:
    return int(Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0)


def create(http: httpx.Client, token: str, description: str) -> dict[str, Any]:
    body = {"type": "fire", "severity": 4, "lon": 108.44, "lat": 11.94, "description": description}
    r = http.post("/incidents", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def read_events(
    response: httpx.Response, want: int, deadline_s: float = 20.0
) -> list[dict[str, Any]]:
    """Parse SSE frames until `want` data frames arrived (keep-alives come every few seconds)."""
    got: list[dict[str, Any]] = []
    frame: dict[str, str] = {}
    deadline = time.monotonic() + deadline_s
    for line in response.iter_lines():
        if line == "":
            if "data" in frame:
                data = json.loads(frame["data"])
                got.append({"sse_id": frame.get("id"), "sse_event": frame.get("event"), **data})
                if len(got) >= want:
                    return got
            frame = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            frame[key] = value
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"only {len(got)} of {want} events arrived: {got}")


def test_stream_delivers_a_new_incident(live_url: str, http: httpx.Client, users: Users) -> None:
    start = newest_seq()
    with httpx.Client(base_url=live_url, timeout=30) as listener:
        url = f"/live/events?layers=incidents&last_event_id={start}"
        with listener.stream("GET", url, headers=auth(users.operator)) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            feature = create(http, users.operator, "Cháy nhà trên đường Phan Đình Phùng")
            [event] = read_events(stream, 1)
    assert event["sse_event"] == event["layer"] == "incidents"
    assert event["operation"] == "create"
    assert int(event["sse_id"]) == event["seq"] > start
    assert event["id"] == feature["id"]
    assert event["feature"] == feature


def test_reconnect_replays_missed_events(live_url: str, http: httpx.Client, users: Users) -> None:
    start = newest_seq()
    first = create(http, users.operator, "missed 1")
    second = create(http, users.operator, "missed 2")
    with httpx.Client(base_url=live_url, timeout=30) as listener:
        headers = {**auth(users.planner), "Last-Event-ID": str(start)}
        with listener.stream("GET", "/live/events?layers=incidents", headers=headers) as stream:
            events = read_events(stream, 2)
    assert [e["feature"]["id"] for e in events] == [first["id"], second["id"]]
    assert events[0]["seq"] < events[1]["seq"]


def test_stream_respects_layer_access(http: httpx.Client, users: Users) -> None:
    r = http.get("/live/events?layers=incidents")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"
    assert http.get("/live/events?layers=nope", headers=auth(users.operator)).status_code == 404
    bad = http.get("/live/events", headers={**auth(users.operator), "Last-Event-ID": "x"})
    assert bad.status_code == 400
