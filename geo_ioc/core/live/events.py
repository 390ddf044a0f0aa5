"""The event log: persist a live message, then publish it when the transaction commits.

The message row is written in the caller's transaction and `pg_notify` is queued in the same
transaction; PostgreSQL delivers a notification only on commit, so no subscriber can hear of an
event that was not persisted, and a rolled-back write publishes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from geo_ioc.core.models import Event

CHANNEL = "geo_ioc_events"


def record(
    layer: str, operation: str, feature_id: int | None, data: dict[str, Any], actor: str = ""
) -> Event:
    """Persist an event and queue its notification (delivered at commit)."""
    event = Event.objects.create(
        layer=layer, operation=operation, feature_id=feature_id, actor=actor, data=data
    )
    with connection.cursor() as cur:
        cur.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(event.seq)])
    return event


def record_many(
    layer: str, operation: str, features: list[tuple[int, dict[str, Any]]], actor: str = ""
) -> list[Event]:
    """Persist several events in one statement and queue their notifications (at commit)."""
    created = Event.objects.bulk_create(
        [
            Event(layer=layer, operation=operation, feature_id=fid, actor=actor, data=data)
            for fid, data in features
        ]
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_notify(%s, seq::text) FROM unnest(%s::bigint[]) AS seq",
            [CHANNEL, [e.seq for e in created]],
        )
    return created
