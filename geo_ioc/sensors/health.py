"""Liveness of the MQTT consumers, for `/healthz`: each writes its status row every few seconds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from geo_ioc.sensors.models import ConsumerStatus, DeadLetter

HEARTBEAT_S = 5.0
# A consumer whose row is older than this is not running (killed, hung, or its database lost).
ALIVE_S = 30.0


def beat(client_id: str, stats: Any) -> None:
    """Record a consumer's state now (`stats` is its `mqtt.Stats`)."""
    ConsumerStatus.objects.update_or_create(
        client_id=client_id or "anonymous",
        defaults={
            "connected": stats.connected,
            "heartbeat_at": timezone.now(),
            "last_message_at": stats.last_message_at,
            "last_stored_at": stats.last_stored_at,
            "counts": stats.snapshot(),
        },
    )


def summary() -> dict[str, Any]:
    """`ok` when a consumer is alive and connected, else `down`; `absent` when none ever ran."""
    now = timezone.now()
    consumers = [
        {
            "client_id": s.client_id,
            "alive": now - s.heartbeat_at < timedelta(seconds=ALIVE_S),
            "connected": s.connected,
            "heartbeat_at": s.heartbeat_at.isoformat(),
            "last_message_at": s.last_message_at.isoformat() if s.last_message_at else None,
            "last_stored_at": s.last_stored_at.isoformat() if s.last_stored_at else None,
        }
        for s in ConsumerStatus.objects.order_by("client_id")
    ]
    up = any(c["alive"] and c["connected"] for c in consumers)
    return {
        "status": "ok" if up else ("down" if consumers else "absent"),
        "consumers": consumers,
        "dead_letters": DeadLetter.objects.count(),
    }
