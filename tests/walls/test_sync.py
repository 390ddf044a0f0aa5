"""Walls over the live WebSocket: join, drive, relay through NOTIFY, stored state, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from django.db import connection
from websockets.sync.client import ClientConnection, connect
from websockets.sync.connection import Connection

from tests.conftest import Users, running_server

pytestmark = pytest.mark.django_db


def ws(base_url: str, token: str | None) -> ClientConnection:
    url = base_url.replace("http://", "ws://") + "/ws/live"
    headers = {"Authorization": f"Token {token}"} if token else None
    return connect(url, additional_headers=headers, open_timeout=10)


def receive(conn: Connection) -> dict[str, Any]:
    return dict(json.loads(conn.recv(timeout=20)))


def send(conn: Connection, message: dict[str, Any]) -> None:
    conn.send(json.dumps(message))


def join(conn: Connection, screen: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "wall_join", "wall": "main"}
    if screen is not None:
        message["screen"] = screen
    send(conn, message)
    joined = receive(conn)
    assert joined["type"] == "wall_joined", joined
    assert (joined["wall"], joined["screen"]) == ("main", screen)
    return joined


def drive(conn: Connection, lon: float, zoom: float) -> dict[str, Any]:
    """Send a view; returns the view as every screen must receive it."""
    view = {"center": [lon, 11.94], "zoom": zoom, "bearing": 12.5, "pitch": 30.0}
    send(conn, {"type": "wall_view", "wall": "main", "view": view})
    return view


def stored() -> tuple[Any, Any, str] | None:
    with connection.cursor() as cur:
        cur.execute("SELECT view, focus, updated_by FROM walls_wallstate WHERE wall = 'main'")
        row = cur.fetchone()
    if row is None:
        return None
    view, focus, by = row
    return _json(view), _json(focus), by


def _json(value: Any) -> Any:
    """A jsonb value as Python (Django's psycopg 3 cursor may hand it over as text)."""
    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def second_server(live_url: str) -> Iterator[str]:
    """Another server process on the same database: walls must sync across processes."""
    with running_server("server-walls-2.log") as url:
        yield url


def test_a_view_reaches_the_other_screens_and_not_the_sender(live_url: str, users: Users) -> None:
    with ws(live_url, users.operator) as console, ws(live_url, users.planner) as screen:
        join(console)
        join(screen, screen=4)
        view = drive(console, 108.4401, 14.25)
        got = receive(screen)
        # The sender hears the answer to its next message, not its own view coming back.
        send(console, {"type": "wall_leave"})
        assert receive(console) == {"type": "wall_left", "wall": "main"}
    assert got["type"] == "wall_view"
    assert got["wall"] == "main"
    assert got["view"] == view
    assert got["by"] == "test_operator"
    assert "origin" not in got and got["time"]
    assert stored() is not None
    assert stored()[0] == view  # type: ignore[index]
    assert stored()[2] == "test_operator"  # type: ignore[index]


def test_a_later_screen_starts_where_the_wall_is(
    live_url: str, http: httpx.Client, users: Users
) -> None:
    with ws(live_url, users.admin) as console, ws(live_url, users.planner) as first:
        join(console)
        join(first, screen=1)
        view = drive(console, 108.4402, 13.0)
        assert receive(first)["view"] == view  # stored and notified in one statement
        focus = {"lon": 108.437, "lat": 11.943, "zoom": 17.0, "incident": 1, "label": "Chợ Đà Lạt"}
        send(console, {"type": "wall_focus", "wall": "main", "focus": focus})
        heard = receive(first)
        assert (heard["type"], heard["focus"], heard["by"]) == ("wall_focus", focus, "test_admin")
        with ws(live_url, users.planner) as later:
            joined = join(later, screen=9)
    # A focus does not wipe the view: the joiner gets both.
    assert joined["view"] == view
    assert joined["focus"] == focus
    assert joined["by"] == "test_admin"
    state = http.get("/walls/main", headers={"Authorization": f"Token {users.planner}"}).json()
    assert state["state"]["view"] == view
    assert state["state"]["focus"] == focus
    assert state["state"]["by"] == "test_admin"


def test_views_cross_server_processes(live_url: str, second_server: str, users: Users) -> None:
    with ExitStack() as stack:
        console = stack.enter_context(ws(live_url, users.operator))
        here = stack.enter_context(ws(live_url, users.planner))
        there = stack.enter_context(ws(second_server, users.planner))
        join(console)
        join(here, screen=2)
        join(there, screen=3)
        view = drive(console, 108.4403, 15.5)
        assert receive(there)["view"] == view
        assert receive(here)["view"] == view


def test_a_focus_minimal_message_gets_its_defaults(live_url: str, users: Users) -> None:
    with ws(live_url, users.operator) as console, ws(live_url, users.operator) as screen:
        join(console)
        join(screen, screen=5)
        send(console, {"type": "wall_focus", "wall": "main", "focus": {"lon": 108.45, "lat": 11.9}})
        got = receive(screen)
    assert got["focus"] == {"lon": 108.45, "lat": 11.9, "zoom": None, "incident": None, "label": ""}


def test_a_planner_may_join_but_not_drive(live_url: str, users: Users) -> None:
    with ws(live_url, users.operator) as console, ws(live_url, users.planner) as planner:
        join(console)
        join(planner, screen=6)
        before = stored()
        drive(planner, 100.0, 3.0)
        refused = receive(planner)
        send(planner, {"type": "wall_focus", "wall": "main", "focus": {"lon": 100, "lat": 10}})
        refused_focus = receive(planner)
        # The console heard nothing: its next frame answers its own message.
        send(console, {"type": "wall_leave", "wall": "main"})
        assert receive(console)["type"] == "wall_left"
    for reply in (refused, refused_focus):
        assert reply["type"] == "error"
        assert reply["code"] == "permission_denied"
        assert "operators and admins" in reply["message"]
    assert stored() == before


@pytest.mark.parametrize(
    "message",
    [
        {"type": "wall_join", "wall": "main"},
        {"type": "wall_view", "wall": "main", "view": {"center": [108.44, 11.94], "zoom": 12}},
        {"type": "wall_focus", "wall": "main", "focus": {"lon": 108.44, "lat": 11.94}},
    ],
)
def test_anonymous_may_not_join_or_drive(live_url: str, message: dict[str, Any]) -> None:
    with ws(live_url, None) as conn:
        send(conn, message)
        reply = receive(conn)
    assert reply["type"] == "error"
    assert reply["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("message", "code", "field"),
    [
        ({"type": "wall_dance", "wall": "main"}, "invalid_wall_message", "type"),
        ({"type": "wall_join"}, "invalid_wall_message", "wall"),
        ({"type": "wall_join", "wall": "main", "screen": 0}, "invalid_wall_message", "screen"),
        ({"type": "wall_join", "wall": "main", "scren": 2}, "invalid_wall_message", "scren"),
        ({"type": "wall_join", "wall": ""}, "invalid_wall_message", "wall"),
        ({"type": "wall_view", "wall": "main"}, "invalid_wall_message", "view"),
        (
            {"type": "wall_view", "wall": "main", "view": {"center": [11.94, 108.44], "zoom": 3}},
            "invalid_wall_message",
            "view.center",
        ),
        (
            {"type": "wall_view", "wall": "main", "view": {"center": [108.4, 11.9], "zoom": 30}},
            "invalid_wall_message",
            "view.zoom",
        ),
        (
            {"type": "wall_view", "wall": "main", "view": {"center": [108.4], "zoom": 3}},
            "invalid_wall_message",
            "view.center.1",
        ),
        (
            {"type": "wall_focus", "wall": "main", "focus": {"lon": 108.4, "lat": 95}},
            "invalid_wall_message",
            "focus.lat",
        ),
        ({"type": "wall_join", "wall": "nowhere"}, "unknown_wall", "wall"),
        ({"type": "wall_join", "wall": "main", "screen": 10}, "unknown_screen", "screen"),
        (
            {"type": "wall_view", "wall": "nowhere", "view": {"center": [108.4, 11.9], "zoom": 3}},
            "unknown_wall",
            "wall",
        ),
    ],
)
def test_a_bad_wall_message_is_an_error_frame_naming_the_field(
    live_url: str, users: Users, message: dict[str, Any], code: str, field: str
) -> None:
    with ws(live_url, users.operator) as conn:
        send(conn, message)
        reply = receive(conn)
        # The socket survives the error.
        join(conn, screen=1)
    assert reply["type"] == "error"
    assert reply["code"] == code
    assert reply["field"] == field
    assert reply["message"].startswith(f"{field}: ") or code.startswith("unknown_")


def test_a_new_join_replaces_the_old_and_leave_stops(live_url: str, users: Users) -> None:
    with ws(live_url, users.operator) as console, ws(live_url, users.planner) as screen:
        join(console)
        join(screen, screen=7)
        join(screen, screen=8)  # the same wall again: one follower, not two
        view = drive(console, 108.4404, 12.0)
        assert receive(screen)["view"] == view
        send(screen, {"type": "wall_leave"})
        # Exactly one copy of the view came: the next frame answers the leave.
        assert receive(screen) == {"type": "wall_left", "wall": "main"}


def test_views_sent_in_a_burst_end_on_the_newest(live_url: str, users: Users) -> None:
    with ws(live_url, users.operator) as console, ws(live_url, users.planner) as screen:
        join(console)
        join(screen, screen=3)
        views = [drive(console, 108.4410 + i / 10_000, 12.0 + i / 10) for i in range(6)]
        heard = [receive(screen)["view"]]
        while heard[-1] != views[-1]:
            heard.append(receive(screen)["view"])
    # Faster than 20 a second, views merge: some may be skipped, never reordered, the last arrives.
    positions = [views.index(v) for v in heard]
    assert positions == sorted(set(positions))
    assert stored()[0] == views[-1]  # type: ignore[index]
