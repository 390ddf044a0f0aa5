"""The event log in commit order: complete delivery under concurrent writers, across server
processes, an exact resume, and changes from any writer (psql included) reaching live clients
and the alert rules."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from websockets.sync.client import ClientConnection, connect

from geo_ioc.core.db import conninfo
from geo_ioc.operations.models import Alert
from tests.conftest import Users, running_server
from tests.helpers import auth, own_connection

pytestmark = pytest.mark.django_db
WRITERS = 8
INCIDENTS = 32


def ws(url: str, token: str) -> ClientConnection:
    ws_url = url.replace("http://", "ws://") + "/ws/live"
    return connect(ws_url, additional_headers={"Authorization": f"Token {token}"}, open_timeout=10)


def follow(conn: ClientConnection, layers: list[str], last_seq: int | None = None) -> int:
    request: dict[str, Any] = {"subscribe": layers}
    if last_seq is not None:
        request["last_seq"] = last_seq
    conn.send(json.dumps(request))
    ack = json.loads(conn.recv(timeout=20))
    assert ack["type"] == "subscribed", ack
    return int(ack["last_seq"])


def events_until(conn: ClientConnection, done: Any) -> list[dict[str, Any]]:
    """Events received until `done(events)` holds (each wait bounded: a lost event fails)."""
    got: list[dict[str, Any]] = []
    while not done(got):
        msg = json.loads(conn.recv(timeout=30))
        if msg["type"] == "event":
            got.append(msg)
    return got


def forget_incidents(ids: list[int]) -> None:
    """Remove what a test committed, so later tests see the demo's incidents and alerts only."""
    with own_connection() as raw:
        raw.execute("DELETE FROM operations_alert WHERE incident_id = ANY(%s)", [ids])
        raw.execute("DELETE FROM operations_incident WHERE id = ANY(%s)", [ids])
        # The catalogue's counts, as the services keep them (committed, like the deletes).
        for slug, table in (("incidents", "operations_incident"), ("alerts", "operations_alert")):
            raw.execute(
                sql.SQL(
                    "UPDATE layers_layer SET feature_count = (SELECT count(*) FROM {})"
                    " WHERE slug = %s"
                ).format(sql.Identifier(table)),
                [slug],
            )


@pytest.fixture(scope="module")
def second_server(live_url: str) -> Iterator[str]:
    """Another server process on the same database."""
    with running_server("server-b.log") as url:
        yield url


def test_sequence_follows_commit_order_not_insert_order() -> None:
    # The writer that inserts first but commits last must come after: a reader that resumed
    # after the early committer's position would otherwise skip it for good.
    with psycopg.connect(conninfo()) as early, psycopg.connect(conninfo()) as late:
        early.execute(
            "INSERT INTO core_event (layer, relation, operation, actor, data, created_at)"
            " VALUES ('probe', '', 'first', '', '{}', now())"
        )
        late.execute(
            "INSERT INTO core_event (layer, relation, operation, actor, data, created_at)"
            " VALUES ('probe', '', 'second', '', '{}', now())"
        )
        late.commit()
        with own_connection() as reader:
            [(second,)] = reader.execute(
                "SELECT seq FROM core_event WHERE layer = 'probe' AND operation = 'second'"
            ).fetchall()
            # Not yet committed: invisible, and nothing after `second` exists yet.
            assert reader.execute(
                "SELECT count(*) FROM core_event WHERE layer = 'probe' AND operation = 'first'"
            ).fetchone() == (0,)
        early.commit()
        with own_connection() as reader:
            rows = reader.execute(
                "SELECT operation FROM core_event WHERE layer = 'probe' AND seq > %s ORDER BY seq",
                [second],
            ).fetchall()
            assert rows == [("first",)]
            reader.execute("DELETE FROM core_event WHERE layer = 'probe'")


def test_concurrent_writers_across_processes_lose_nothing(
    live_url: str, second_server: str, users: Users
) -> None:
    servers = [live_url, second_server]

    def create(i: int) -> int:
        body = {"type": "congestion", "severity": 1, "lon": 108.40 + i / 1000, "lat": 11.90}
        with httpx.Client(base_url=servers[i % 2], timeout=30) as client:
            r = client.post("/incidents", json=body, headers=auth(users.operator))
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    with ws(live_url, users.operator) as conn:
        start = follow(conn, ["incidents"])
        with ThreadPoolExecutor(WRITERS) as pool:
            created = set(pool.map(create, range(INCIDENTS)))
        try:
            live = events_until(conn, lambda got: created <= {e["id"] for e in got})
        finally:
            forget_incidents(sorted(created))

    seqs = [e["seq"] for e in live]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # commit order, no repeats
    assert {e["id"] for e in live} == created  # complete, nothing else on this layer
    assert all(e["operation"] == "create" and e["feature"]["id"] == e["id"] for e in live)
    assert seqs[0] > start

    # Resume from the middle on the other process: exactly what came after, nothing more.
    middle = seqs[len(seqs) // 2]
    want = [s for s in seqs if s > middle]
    with ws(second_server, users.operator) as conn:
        follow(conn, ["incidents"], last_seq=middle)
        resumed = events_until(conn, lambda got: len(got) >= len(want))
    assert [e["seq"] for e in resumed] == want


def _raw_incident(conn: psycopg.Connection, lon: float, lat: float) -> int:
    row = conn.execute(
        "INSERT INTO operations_incident (code, type, severity, status, source, description,"
        " road_name, responsible_unit, geom, reported_at, updated_at, synthetic)"
        " VALUES ('RAW-' || left(md5(random()::text), 16), 'flooding', 3, 'new', 'operator',"
        " 'psql', '', '', ST_SetSRID(ST_MakePoint(%s, %s), 4326), now(), now(), false)"
        " RETURNING id",
        [lon, lat],
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_write_from_psql_reaches_clients_and_rules(live_url: str, users: Users) -> None:
    with ws(live_url, users.operator) as conn:
        follow(conn, ["incidents"])
        with own_connection() as raw:
            incident = _raw_incident(raw, 108.4412, 11.9389)  # in Đà Lạt: the flood rule
        [event] = events_until(conn, lambda got: any(e["id"] == incident for e in got))
    # No service described it: the change itself, with where it happened.
    assert event["operation"] == "insert" and event["ids"] == [str(incident)]
    assert event["feature"] is None
    x0, y0, x1, y1 = event["bbox"]
    assert x0 == pytest.approx(108.4412) and y1 == pytest.approx(11.9389)

    # The alert rules follow the log in the server process, not the request that wrote.
    try:
        deadline = time.monotonic() + 30
        while not Alert.objects.filter(key=f"incident:{incident}").exists():
            assert time.monotonic() < deadline, "the flood rule never saw the psql write"
            threading.Event().wait(0.1)
    finally:
        forget_incidents([incident])
