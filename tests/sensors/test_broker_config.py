"""docker/'s Mosquitto configuration, run for real: logins, per-gateway topics, no host port."""

from __future__ import annotations

import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import yaml

from tests.conftest import ROOT
from tests.sensors.broker import Broker, own_broker

DOCKER = ROOT / "docker"
PASSWORDS = {"geo-ioc-consumer": "change-me", "AQ-01": "change-me-too"}  # passwd.example's
# Ceilings of waits for broker states (acks, messages): generous for a loaded machine.
WAIT_S = 60


def docker_broker(folder: Path) -> str:
    """The docker/ mosquitto.conf with this test's port and paths."""
    conf = (DOCKER / "mosquitto" / "mosquitto.conf").read_text()
    conf = conf.replace("/mosquitto/config/", f"{DOCKER}/mosquitto/").replace(
        "/mosquitto/data/", f"{folder}/"
    )
    conf = conf.replace(f"{DOCKER}/mosquitto/passwd\n", f"{DOCKER}/mosquitto/passwd.example\n")
    return "\n".join(line for line in conf.splitlines() if not line.startswith("listener"))


def connect(port: int, user: str | None) -> tuple[mqtt.Client, mqtt.ReasonCode | None]:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    result: list[mqtt.ReasonCode] = []
    done = threading.Event()

    def on_connect(
        _c: mqtt.Client, _u: object, _f: object, reason: mqtt.ReasonCode, _p: object
    ) -> None:
        result.append(reason)
        done.set()

    client.on_connect = on_connect
    if user:
        client.username_pw_set(user, PASSWORDS[user])
    client.connect("127.0.0.1", port)
    client.loop_start()
    done.wait(WAIT_S)
    return client, result[0] if result else None


def test_broker_needs_logins_and_keeps_gateways_to_their_topic(tmp_path: Path) -> None:
    with own_broker(tmp_path, extra=docker_broker(tmp_path)) as broker:
        _check(broker)


def _check(broker: Broker) -> None:
    anonymous, reason = connect(broker.port, None)
    anonymous.loop_stop()
    assert reason is not None and reason.is_failure  # not authorised

    consumer, reason = connect(broker.port, "geo-ioc-consumer")
    assert reason is not None and not reason.is_failure
    got: list[tuple[str, bytes]] = []
    last = threading.Event()

    def on_message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        got.append((msg.topic, msg.payload))
        if msg.payload == b"marker":
            last.set()

    subscribed = threading.Event()
    consumer.on_message = on_message
    consumer.on_subscribe = lambda *_args: subscribed.set()
    gateway, reason = connect(broker.port, "AQ-01")
    assert reason is not None and not reason.is_failure
    try:
        consumer.subscribe("geo-ioc/stations/+/readings", qos=1)
        # Publish only once the broker has the subscription: before it, the marker has no reader.
        assert subscribed.wait(WAIT_S)
        # Another station's topic and a topic outside the readings: dropped by the broker.
        for topic, payload in [
            ("geo-ioc/stations/AQ-02/readings", b"forged"),
            ("geo-ioc/other", b"elsewhere"),
            ("geo-ioc/stations/AQ-01/readings", b"marker"),
        ]:
            gateway.publish(topic, payload, qos=1).wait_for_publish(WAIT_S)
        assert last.wait(WAIT_S)
        assert got == [("geo-ioc/stations/AQ-01/readings", b"marker")]
    finally:
        for client in (consumer, gateway):
            client.loop_stop()
            client.disconnect()


def test_compose_publishes_no_broker_port_and_persists() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    mqtt_service = compose["services"]["mqtt"]
    assert "ports" not in mqtt_service
    conf = (DOCKER / "mosquitto" / "mosquitto.conf").read_text().splitlines()
    assert "allow_anonymous false" in conf and "persistence true" in conf
    assert any(v.endswith(":/mosquitto/data") for v in mqtt_service["volumes"])
