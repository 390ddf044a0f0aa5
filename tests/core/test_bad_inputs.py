"""Hand-made bad inputs, one per root cause that crashed a handler: each is a JSON 4xx now."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest

from tests.conftest import Users
from tests.helpers import auth

BIG = "9" * 5000
BEYOND_BIGINT = "99999999999999999999"
DEEP = "[" * 50_000 + "]" * 50_000
READING = {"time": "2026-01-01T00:00:00Z", "pollutant": "no2", "value": 1, "station": "AQ-01"}

# (method, path, query, headers, body, role) — role None is anonymous.
Case = tuple[str, str, dict[str, str], dict[str, str | bytes], bytes | None, str | None]
CASES: list[Case] = [
    ("GET", "/incidents/٣", {}, {}, None, None),
    ("GET", f"/incidents/{BEYOND_BIGINT}", {}, {}, None, None),
    ("GET", f"/alerts/{BEYOND_BIGINT}", {}, {}, None, "operator"),
    ("GET", "/alerts/².cap", {}, {}, None, None),
    ("GET", f"/land/parcels/{BEYOND_BIGINT}", {}, {}, None, "planner"),
    ("GET", "/land/parcels/٣", {}, {}, None, "planner"),
    (
        "GET",
        "/land/parcels/lookup",
        {"ward": "672.01", "sheet": "٣", "number": "1"},
        {},
        None,
        None,
    ),
    (
        "GET",
        "/land/parcels/lookup",
        {"ward": "672.01", "sheet": "1", "number": BIG},
        {},
        None,
        None,
    ),
    ("GET", "/incidents", {"limit": "١٠"}, {}, None, None),
    ("GET", "/incidents", {"offset": BEYOND_BIGINT + "0"}, {}, None, None),
    ("GET", "/ogc/collections/roads/items", {"limit": "٣"}, {}, None, None),
    ("GET", "/ogc/collections/roads/items", {"offset": BIG}, {}, None, None),
    ("GET", "/ogc/collections/roads/items", {"offset": BEYOND_BIGINT}, {}, None, None),
    (
        "GET",
        "/ogc/collections/roads/items",
        {"crs": f"http://www.opengis.net/def/crs/EPSG/0/{BIG}"},
        {},
        None,
        None,
    ),
    ("GET", "/export/roads", {"crs": "٤٣٢٦"}, {}, None, None),
    ("GET", "/export/roads", {"crs": BIG}, {}, None, None),
    ("GET", "/live/events", {}, {"Last-Event-ID": "٣".encode()}, None, None),
    ("GET", "/live/events", {"last_event_id": BEYOND_BIGINT}, {}, None, None),
    ("GET", "/tiles/roads/٣/0/0.mvt", {}, {}, None, None),
    ("GET", f"/tiles/roads/1/{BIG}/0.mvt", {}, {}, None, None),
    ("GET", "/search", {"q": "a\x00b"}, {}, None, None),
    ("GET", "/ogc/collections/roads/items", {"name": "a\x00"}, {}, None, None),
    (
        "GET",
        "/ogc/collections/roads/items",
        {"filter": "(" * 5000 + "a=1" + ")" * 5000},
        {},
        None,
        None,
    ),
    ("GET", "/ogc/collections/roads/items", {"filter": "NOT " * 3000 + "name='x'"}, {}, None, None),
    ("GET", "/sensors/stations/AQ-01/readings", {"limit": "٣"}, {}, None, None),
    ("POST", "/sensors/readings", {}, {}, DEEP.encode(), "operator"),
    ("POST", "/sensors/readings", {}, {}, b"\xff\xfe[\x00]", "operator"),
    ("POST", "/sensors/readings", {}, {}, f'[{{"value": {BIG}}}]'.encode(), "operator"),
    (
        "POST",
        "/sensors/readings",
        {},
        {},
        json.dumps([{**READING, "pollutant": "no2\x00"}]).encode(),
        "operator",
    ),
    ("POST", "/incidents", {}, {}, DEEP.encode(), "operator"),
    ("POST", "/incidents", {}, {}, b'{"title": "a\\u0000b", "category": "flood"}', "operator"),
    ("POST", "/exports", {}, {}, ('{"layers":' * 20_000).encode(), "planner"),
]


@pytest.mark.parametrize(("method", "path", "query", "headers", "body", "role"), CASES)
def test_bad_input_is_a_json_4xx(
    http: httpx.Client,
    users: Users,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str | bytes],
    body: bytes | None,
    role: str | None,
) -> None:
    token = getattr(users, role) if role else None
    response = http.request(
        method,
        path,
        params=query,
        headers={**headers, **auth(token), "Content-Type": "application/json"},
        content=body,
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    payload = response.json()
    assert payload["code"] and payload["message"]


def _raw(url: str, head: bytes, body: Iterator[bytes]) -> bytes:
    """Send a request byte by byte (httpx would fix the headers) and read the answer."""
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
        sock.sendall(head)
        try:
            for part in body:
                sock.sendall(part)
        except OSError:  # the server answered and closed: what a limit should do
            pass
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and b'"code"' in answer:
                break
        return answer


def test_declared_large_body_is_refused_before_it_is_read(live_url: str, users: Users) -> None:
    """A 300 MB Content-Length is a 413 at once: the server does not wait for the body."""
    head = (
        "POST /sensors/readings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Token {users.operator}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {300 * 2**20}\r\n\r\n"
    ).encode()
    answer = _raw(live_url, head, iter([b"[" * 1024]))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"payload_too_large"' in answer


def test_streamed_large_body_is_cut_off(live_url: str, users: Users) -> None:
    """A chunked body (no Content-Length) is counted as it arrives and refused at the limit."""

    def chunks() -> Iterator[bytes]:
        piece = b"[" + b" " * 65_536
        for _ in range(200):  # 13 MB, far above the 2.5 MB limit
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        yield b"0\r\n\r\n"

    head = (
        "POST /incidents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Token {users.operator}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    answer = _raw(live_url, head, chunks())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_websocket_survives_deep_and_non_json_messages(live_url: str, users: Users) -> None:
    """A message nested 50,000 deep is an error frame; the same socket still subscribes."""
    from websockets.sync.client import connect

    url = live_url.replace("http://", "ws://") + "/ws/live"
    headers = {"Authorization": f"Token {users.operator}"}
    with connect(url, additional_headers=headers, open_timeout=10, max_size=None) as conn:
        for bad in (DEEP, '{"subscribe": ' + BIG + "}", "\x00"):
            conn.send(bad)
            frame = json.loads(conn.recv(timeout=10))
            assert frame["type"] == "error" and frame["code"] == "invalid_json", frame
        conn.send(json.dumps({"subscribe": ["incidents"]}))
        frame = json.loads(conn.recv(timeout=10))
        assert frame["type"] != "error", frame
