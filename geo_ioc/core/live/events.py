"""The event log: write a live message in the writer's transaction, read the log in commit order.

A message row is written in the caller's transaction; it gets its place in commit order (`seq`)
at COMMIT, and a NOTIFY wakes every process's listener (`sql/sequencer.sql`). A rolled-back
write leaves nothing. Changes to layer tables are written by triggers into the same log (see
`layers/sql/change_feed.sql`); both kinds are read back here as `Entry`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from geo_ioc.core.models import Event

CHANNEL = "geo_ioc_events"
PAGE = 500


def record(
    layer: str, operation: str, feature_id: int | None, data: dict[str, Any], actor: str = ""
) -> Event:
    """Persist a message about one feature of a layer (published when the write commits)."""
    from geo_ioc.core.live import listener

    event = Event.objects.create(
        layer=layer, operation=operation, feature_id=feature_id, actor=actor, data=data
    )
    listener.after_commit()
    return event


def record_many(
    layer: str, operation: str, features: list[tuple[int, dict[str, Any]]], actor: str = ""
) -> list[Event]:
    """Persist messages about several features in one statement (published at commit)."""
    from geo_ioc.core.live import listener

    created = Event.objects.bulk_create(
        [
            Event(layer=layer, operation=operation, feature_id=fid, actor=actor, data=data)
            for fid, data in features
        ]
    )
    listener.after_commit()
    return created


@dataclass(frozen=True)
class Entry:
    """One committed row of the log: a message (`layer` set) or a change (`relation` set)."""

    seq: int
    xid: int
    time: datetime
    layer: str
    relation: str
    operation: str
    feature_id: int | None
    feature_ids: tuple[str, ...] | None
    geom_wkb: bytes | None
    before: dict[str, str] | None
    actor: str
    data: dict[str, Any]

    @property
    def is_change(self) -> bool:
        """Written by a change trigger (not a domain's message)."""
        return not self.layer


_COLUMNS = (
    "seq, xid::text::bigint, created_at, layer, relation, operation, feature_id, feature_ids,"
    " ST_AsBinary(geom), before, actor, data"
)
_AFTER = f"SELECT {_COLUMNS} FROM core_event WHERE seq > %s ORDER BY seq LIMIT %s"
# The transaction of the last row of a page may have more rows: they come in the same page.
_REST = f"SELECT {_COLUMNS} FROM core_event WHERE seq > %s AND xid = %s::text::xid8 ORDER BY seq"


def _json(value: Any) -> Any:
    # Django's connections hand jsonb over as text (its JSONField decodes it itself).
    return json.loads(value) if isinstance(value, str) else value


def _entry(row: tuple[Any, ...]) -> Entry:
    seq, xid, time, layer, relation, operation, fid, fids, wkb, before, actor, data = row
    return Entry(
        seq=int(seq),
        xid=int(xid),
        time=time,
        layer=layer,
        relation=relation,
        operation=operation,
        feature_id=fid,
        feature_ids=tuple(fids) if fids is not None else None,
        geom_wkb=bytes(wkb) if wkb is not None else None,
        before=_json(before),
        actor=actor,
        data=_json(data) or {},
    )


def read_after(last: int, limit: int = PAGE) -> list[Entry]:
    """Committed entries after `last`, in commit order; a transaction's rows are never split."""
    with connection.cursor() as cur:
        cur.execute(_AFTER, [last, limit])
        rows = cur.fetchall()
        if len(rows) == limit:
            cur.execute(_REST, [rows[-1][0], rows[-1][1]])
            rows.extend(cur.fetchall())
    return [_entry(r) for r in rows]


def newest_seq() -> int:
    """The position of the newest committed entry (0 for an empty log)."""
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(seq), 0) FROM core_event")
        return int(cur.fetchone()[0])


def prune(hours: int) -> int:
    """Forget entries older than `hours`; clients that far behind reload instead of replaying."""
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM core_event WHERE seq IS NOT NULL"
            " AND created_at < now() - make_interval(hours => %s)",
            [hours],
        )
        return int(cur.rowcount)
