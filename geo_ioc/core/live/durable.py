"""Durable subscribers of the event log: each reads every entry once, in commit order.

A durable subscriber (the alert rules) keeps its position in a row (`core.Cursor`). Reading,
handling and moving the position happen in one transaction with that row locked, so two
processes never handle the same entry and a crash in between handles it again, never skips it:
what the handler writes commits together with the new position. The listener wakes it after
every commit in any process and after this process's own commits at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection, transaction

from geo_ioc.core.live import listener
from geo_ioc.core.live.events import Entry, newest_seq, read_after
from geo_ioc.core.models import Cursor

log = logging.getLogger(__name__)
Handler = Callable[[list[Entry]], None]
_handlers: dict[str, Handler] = {}


def follow(name: str, handler: Handler) -> None:
    """Run `handler` on every committed entry of the log, once, in order, under `name`."""
    _handlers[name] = handler
    listener.subscribe(_waker(name), on_local_commit=True)


def _waker(name: str) -> Callable[[], int]:
    def wake() -> int:
        return consume(name)

    wake.__qualname__ = f"durable[{name}]"
    return wake


def consume(name: str) -> int:
    """Hand the entries after the subscriber's position to its handler; returns how many.

    A writer waits for the position, so its change is handled when its request returns. The
    listener never waits (a writer may hold the position in a long transaction): it skips and
    tries again in a moment.
    """
    handler = _handlers[name]
    done = 0
    end = newest_seq()  # a bounded round: what commits meanwhile is the next wake's
    with transaction.atomic():
        mine = Cursor.objects.select_for_update(skip_locked=listener.in_listener())
        cursor = mine.filter(name=name).first()
        if cursor is None:  # held by another reader (or not made yet: `ensure_cursors`)
            listener.wake_soon()
            return 0
        while cursor.seq < end and (entries := read_after(cursor.seq)):
            live = [e for e in entries if not e.data.get("history")]
            try:
                with transaction.atomic():
                    if live:
                        handler(live)
            except Exception:
                # A poison entry must not stop the subscriber for good: log it and move on.
                log.exception("%s failed on entries %s–%s", name, entries[0].seq, entries[-1].seq)
            cursor.seq = entries[-1].seq
            done += len(entries)
        if done:
            cursor.save(update_fields=["seq", "updated_at"])
    return done


def ensure_cursors() -> None:
    """Give each durable subscriber without a position one at the log's end (after migrate)."""
    end = newest_seq()
    for name in _handlers:
        Cursor.objects.get_or_create(name=name, defaults={"seq": end})


def mark_history() -> None:
    """Mark what the current transaction logged as history, which durable subscribers skip.

    A demo city or a back-fill writes a synthetic or old past: it must not raise alerts now.
    Live clients still hear of it (their maps redraw).
    """
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_event SET data = data || '{\"history\": true}'"
            " WHERE xid = pg_current_xact_id() AND seq IS NULL"
        )
