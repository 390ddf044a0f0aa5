"""Freshness of stations: the stored `stale` flag that tiles draw, and the sweep that keeps it.

A station that stops reporting changes nothing in the database by itself, so only a periodic
sweep can notice it; `geo-ioc mqtt` runs one every minute. The API does not rely on the flag: it
computes `stale` afresh for every request (`queries.is_stale`).
"""

from __future__ import annotations

from importlib import resources

from django.db import connection, transaction
from django.utils import timezone

from geo_ioc.core.live import events
from geo_ioc.sensors.models import Station
from geo_ioc.sensors.queries import STALE_AFTER_CADENCES, station_feature

LAYER = "env_stations"
_MARK_STALE = resources.files("geo_ioc.sensors.sql").joinpath("mark_stale.sql").read_text("utf-8")


def mark_stale(ids: list[int] | None = None) -> list[int]:
    """Bring the stored flags of all (or `ids`) stations up to date; return those changed."""
    with connection.cursor() as cur:
        cur.execute(_MARK_STALE, {"cadences": STALE_AFTER_CADENCES, "ids": ids})
        return [int(row[0]) for row in cur.fetchall()]


def sweep() -> list[int]:
    """Flag stations that fell silent or came back, and publish each change (at commit)."""
    with transaction.atomic():
        changed = mark_stale()
        if changed:
            now = timezone.now()
            stations = Station.objects.filter(pk__in=changed)
            events.record_many(LAYER, "update", [(s.pk, station_feature(s, now)) for s in stations])
    return changed
