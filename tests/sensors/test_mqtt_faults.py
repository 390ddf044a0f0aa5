"""The MQTT consumer on a bad day: poison messages, a restarted broker, killed DB connections.

Each test runs its own Mosquitto on a free port (with persistence, as docker/ configures it) and
its own `geo-ioc mqtt` process, whose database sessions it can find by application name.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest

from tests.helpers import own_connection
from tests.sensors.broker import Broker, consumer_process, own_broker
from tests.sensors.conftest import Forget

pytestmark = pytest.mark.django_db
WAIT_S = 60.0  # an upper bound for a slow, shared machine, not a speed requirement
STATION = "AQ-03"


def base_time(days_ago: int) -> datetime:
    """A whole hour well before the demo's history, so the stations' state is not changed."""
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)


def stored_counts(times: list[datetime]) -> dict[datetime, int]:
    """How many rows each of these reading times has (committed, seen from outside)."""
    with own_connection() as conn:
        rows = conn.execute(
            "SELECT r.time, count(*) FROM sensors_reading r JOIN sensors_station s"
            " ON s.id = r.station_id WHERE s.code = %s AND r.time = ANY(%s) GROUP BY r.time",
            [STATION, times],
        ).fetchall()
    return {t: int(n) for t, n in rows}


def terminate(app_name: str) -> int:
    """End the consumer's database sessions (only this test database's, only the consumer's)."""
    with own_connection() as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [app_name],
        ).fetchone()
    return int(row[0]) if row else 0


def wait_until(check: object, timeout: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.3)
    return False


def acked(info: mqtt.MQTTMessageInfo) -> bool:
    """Whether the broker acknowledged a QoS 1 publication (False if it was never sent)."""
    try:
        return info.is_published()
    except RuntimeError:  # published while disconnected
        return False


def publisher(port: int, client_id: str) -> mqtt.Client:
    """A QoS 1 publisher with a persistent session: it resends what the broker did not ack."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    client.reconnect_delay_set(min_delay=1, max_delay=2)
    client.connect_async("127.0.0.1", port)
    client.loop_start()
    return client


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    with own_broker(tmp_path) as b:
        yield b


def test_readings_stored_exactly_once_through_broker_restart_and_killed_db(
    broker: Broker, forget: Forget, tmp_path: Path
) -> None:
    """120 readings flow while the broker restarts and the consumer's DB sessions are killed."""
    prefix, tag = f"fault-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    topic = f"{prefix}/stations/{STATION}/readings"
    start = base_time(50)
    times = [start + timedelta(minutes=i) for i in range(120)]
    for t in times:
        forget(STATION, t)
    app_name = f"mqtt-fault-{tag}"
    url = f"mqtt://127.0.0.1:{broker.port}"
    pub = publisher(broker.port, f"pub-{tag}")
    sent: dict[int, mqtt.MQTTMessageInfo] = {}

    def send(i: int) -> None:
        body = [{"time": times[i].isoformat(), "pollutant": "no2", "value": float(i)}]
        sent[i] = pub.publish(topic, json.dumps(body), qos=1)

    def unacked() -> list[int]:
        return [i for i, m in sent.items() if not acked(m)]

    log = tmp_path / "consumer.log"
    with consumer_process(url, prefix, f"consumer-{tag}", app_name, log) as proc:
        # The consumer's first subscription creates its session; from then on the broker keeps
        # whatever is published for it.
        assert wait_until(lambda: f"subscribing to {prefix}" in log.read_text()), log.read_text()
        for i in range(40):
            send(i)
        assert wait_until(lambda: len(stored_counts(times[:40])) == 40)

        # Readings arrive while the consumer's database connections are being killed.
        killed = 0
        for i in range(40, 80):
            send(i)
            if i % 10 == 0:
                killed += terminate(app_name)
                time.sleep(0.2)
        assert killed > 0

        # The broker goes away and comes back; the publisher queues meanwhile.
        assert wait_until(lambda: not unacked())
        broker.stop()
        for i in range(80, 100):
            send(i)
        time.sleep(1.0)
        broker.start()
        for i in range(100, 120):
            send(i)
            if i == 110:
                terminate(app_name)
        # Like a gateway: what the broker did not acknowledge (it was down) is sent again.
        assert wait_until(lambda: pub.is_connected())
        for i in unacked():
            send(i)
        assert wait_until(lambda: not unacked())
        complete = wait_until(lambda: len(stored_counts(times)) == len(times))
        counts = stored_counts(times)
        assert proc.poll() is None, log.read_text()
    pub.loop_stop()
    pub.disconnect()
    output = log.read_text()
    missing = [i for i, t in enumerate(times) if t not in counts]
    assert complete, f"stored {len(counts)}/{len(times)}, missing {missing}"
    assert set(counts.values()) == {1}
    # The consumer retried through the faults and lost no message to an error.
    final = output.split("stopped:")[-1]
    assert "retries" in final and "errors" not in final and "dead_letters" not in final, final


# Poison: each once broke paho's network thread or reached PostgreSQL.
POISON: list[tuple[str, bytes]] = [
    ("deep nesting", b"[" * 50_000 + b"]" * 50_000),
    ("deep object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("5,000-digit number", b'[{"value": ' + b"9" * 5000 + b"}]"),
    ("non-UTF-8", b"\xff\xfe\x00[\xc3\x28]"),
    ("UTF-16 JSON", json.dumps([{"value": 1}]).encode("utf-16")),
    ("NUL in a string", b'[{"pollutant": "no2\\u0000", "value": 1, "time": "x"}]'),
    ("NUL in a key", b'{"\\u0000": 1}'),
    ("a number", b"42"),
    ("a string", b'"readings"'),
    ("null", b"null"),
    ("NaN", b'[{"value": NaN}]'),
    ("huge float", b'[{"pollutant": "no2", "value": 1e999, "time": "2020-01-01T00:00:00Z"}]'),
    ("list of lists", b"[[1, 2], [3]]"),
    ("empty", b""),
    ("wrong types", b'{"time": 5, "pollutant": [], "value": {}, "unit": 7, "station": 1}'),
]


def test_poison_messages_are_dead_lettered_and_ingestion_goes_on(
    broker: Broker, forget: Forget, tmp_path: Path, live_url: str
) -> None:
    """Every poison message lands in the dead letters; the next good reading is still stored."""
    prefix, tag = f"poison-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    topic = f"{prefix}/stations/{STATION}/readings"
    good = base_time(51)
    forget(STATION, good)
    with own_connection() as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM sensors_deadletter").fetchone()
        first_id = int(row[0]) if row else 0
    log = tmp_path / "consumer.log"
    url = f"mqtt://127.0.0.1:{broker.port}"
    client_id = f"consumer-{tag}"
    pub = publisher(broker.port, f"pub-{tag}")
    try:
        with consumer_process(url, prefix, client_id, f"mqtt-poison-{tag}", log) as proc:
            assert wait_until(lambda: f"subscribing to {prefix}" in log.read_text())
            infos = [pub.publish(topic, payload, qos=1) for _, payload in POISON]
            body = [{"time": good.isoformat(), "pollutant": "so2", "value": 7.0}]
            infos.append(pub.publish(topic, json.dumps(body), qos=1))
            assert wait_until(lambda: all(acked(m) for m in infos))
            assert wait_until(lambda: len(stored_counts([good])) == 1), log.read_text()[-3000:]
            assert proc.poll() is None

            def health() -> dict[str, object]:
                return dict(httpx.get(f"{live_url}/healthz", timeout=10).json()["mqtt"])

            # Liveness: this consumer is alive, connected, and has stored a reading.
            assert wait_until(
                lambda: any(
                    c["client_id"] == client_id and c["connected"] and c["last_stored_at"]
                    for c in health()["consumers"]  # type: ignore[attr-defined]
                )
            )
            assert health()["status"] == "ok"
        with own_connection() as conn:
            letters = conn.execute(
                "SELECT topic, reason, size FROM sensors_deadletter WHERE id > %s ORDER BY id",
                [first_id],
            ).fetchall()
            conn.execute("DELETE FROM sensors_deadletter WHERE id > %s", [first_id])
            conn.execute("DELETE FROM sensors_consumerstatus WHERE client_id = %s", [client_id])
    finally:
        pub.loop_stop()
        pub.disconnect()
    assert len(letters) == len(POISON), letters
    assert [size for _, _, size in letters] == [len(p) for _, p in POISON]
    assert all(t == topic and reason for t, reason, _ in letters)
    assert "Traceback" not in log.read_text()
