"""The one ingestion path of readings (HTTP batches and MQTT messages alike)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from geo_ioc.core.live import events
from geo_ioc.sensors.freshness import LAYER, mark_stale
from geo_ioc.sensors.models import Station
from geo_ioc.sensors.queries import latest_aqi, station_feature
from geo_ioc.sensors.validation import CleanReading, clean

log = logging.getLogger(__name__)
MAX_BATCH = 10_000


@dataclass
class Rejected:
    """A refused reading: its position in the batch and why."""

    index: int
    reason: str


@dataclass
class IngestReport:
    """What a batch did: new rows, repeats ignored, rows refused."""

    received: int
    inserted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "received": self.received,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "rejected": [{"index": r.index, "reason": r.reason} for r in self.rejected],
        }


def _insert(rows: list[tuple[int, CleanReading]], synthetic: bool) -> list[tuple[int, datetime]]:
    """Insert, ignoring repeats; return (station id, time) of each inserted row."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO sensors_reading"
            " (station_id, time, pollutant, value, unit, received_at, synthetic)"
            " SELECT s, t, p, v, u, now(), %s"
            " FROM unnest(%s::int[], %s::timestamptz[], %s::text[], %s::float8[], %s::text[])"
            " AS r(s, t, p, v, u)"
            " ON CONFLICT (station_id, time, pollutant) DO NOTHING RETURNING station_id, time",
            [
                synthetic,
                [sid for sid, _ in rows],
                [r.time for _, r in rows],
                [r.pollutant for _, r in rows],
                [r.value for _, r in rows],
                [r.unit for _, r in rows],
            ],
        )
        return [(int(sid), time) for sid, time in cur.fetchall()]


def _refresh(inserted: list[tuple[int, datetime]]) -> None:
    """Freshness and latest AQI of the touched stations, then one event each (on commit)."""
    newest: dict[int, datetime] = {}
    for sid, time in inserted:
        newest[sid] = max(time, newest.get(sid, time))
    ids = sorted(newest)
    with connection.cursor() as cur:
        # Concurrent batches touch the same stations: lock them in one order, or they deadlock.
        cur.execute(
            "SELECT id FROM sensors_station WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids]
        )
    latest = latest_aqi(ids)
    rows = [
        (
            sid,
            newest[sid],
            value.value if value else None,
            value.band.en if value else "",
            value.dominant if value else "",
            hour,
        )
        for sid, (hour, value) in latest.items()
        if sid in newest
    ]
    with connection.cursor() as cur:
        # The newest reading time comes from this batch, not from a scan of every reading.
        cur.execute(
            "UPDATE sensors_station s SET last_reading_at = GREATEST(s.last_reading_at, a.newest),"
            " aqi = a.aqi, aqi_band = a.band, aqi_dominant = a.dominant, aqi_hour = a.hour"
            " FROM unnest(%s::bigint[], %s::timestamptz[], %s::int[], %s::text[], %s::text[],"
            "             %s::timestamptz[]) AS a(id, newest, aqi, band, dominant, hour)"
            " WHERE s.id = a.id",
            [list(col) for col in zip(*rows, strict=True)] if rows else [[]] * 6,
        )
    mark_stale(ids)  # a late reading of long ago does not make a silent station fresh
    stations = list(Station.objects.filter(pk__in=ids))
    events.record_many(LAYER, "update", [(s.pk, station_feature(s)) for s in stations])


def ingest(raw: Any, *, station: str | None = None, synthetic: bool = False) -> IngestReport:
    """Check, store and publish a batch of readings; bad rows are refused and reported.

    `raw` is a list of readings or one reading; `station` fixes the station (MQTT topic).
    """
    items = raw if isinstance(raw, list) else [raw]
    report = IngestReport(received=len(items))
    if len(items) > MAX_BATCH:
        report.rejected = [Rejected(0, f"a batch holds at most {MAX_BATCH} readings")]
        return report
    cleaned: list[tuple[int, CleanReading]] = []
    for i, item in enumerate(items):
        try:
            cleaned.append((i, clean(item, station)))
        except ValueError as exc:
            report.rejected.append(Rejected(i, str(exc)))
    codes = {r.station for _, r in cleaned}
    ids = dict(Station.objects.filter(code__in=codes).values_list("code", "pk"))
    rows: list[tuple[int, CleanReading]] = []
    for i, reading in cleaned:
        if reading.station in ids:
            rows.append((ids[reading.station], reading))
        else:
            report.rejected.append(Rejected(i, f"unknown station {reading.station!r}"))
    report.rejected.sort(key=lambda r: r.index)
    if rows:
        with transaction.atomic():
            inserted = _insert(rows, synthetic)
            if inserted:
                _refresh(inserted)
        report.inserted = len(inserted)
        report.duplicates = len(rows) - len(inserted)
    if report.rejected:
        log.info("readings refused: %d of %d", len(report.rejected), report.received)
    return report
