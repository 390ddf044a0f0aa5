"""The layer change feed: what changed where, for every committed write to a layer.

Triggers on each layer's relation (see `sql/change_feed.sql`) write one `LayerChange` row per
statement inside the writer's transaction and NOTIFY its id, whatever wrote it: the ORM, raw SQL,
an import, psql. Subscribers (the tile cache) read the rows after a cursor and act on them. A
process applies the feed in three ways, all idempotent: right after its own commits
(`after_commit`), when notified (`start_listener`), and by polling as a backstop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
import shapely
from django.db import close_old_connections, connection, transaction
from psycopg import sql
from shapely.geometry.base import BaseGeometry

from layers.models import Layer
from layers.sources import source_for

log = logging.getLogger(__name__)
CHANNEL = "geo_ioc_layer_changes"
CATALOGUE = "catalogue"
RETENTION = "1 hour"
POLL_SECONDS = 5.0


@dataclass(frozen=True)
class LayerChange:
    """A committed change to the features of some layers.

    `geometry` (EPSG:3857) covers the old and new shapes of the changed features; None means
    the whole layer changed (a truncate, a replaced table, a new definition).
    """

    id: int
    layers: frozenset[str]
    operation: str
    feature_ids: tuple[str, ...] | None
    geometry: BaseGeometry | None


# --- triggers --------------------------------------------------------------------------------


def _qualified(cur: Any, relation: sql.Composable) -> str | None:
    """`schema.table` of a relation that is a plain table, or None (a view, missing)."""
    cur.execute(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.oid = to_regclass(%s) AND c.relkind IN ('r', 'p')",
        [relation.as_string(cur.connection)],
    )
    row = cur.fetchone()
    return str(row[0]) if row else None


_TRIGGERS = {
    "ins": "AFTER INSERT ON {rel} REFERENCING NEW TABLE AS geo_ioc_new",
    "upd": "AFTER UPDATE ON {rel} REFERENCING OLD TABLE AS geo_ioc_old NEW TABLE AS geo_ioc_new",
    "del": "AFTER DELETE ON {rel} REFERENCING OLD TABLE AS geo_ioc_old",
}


def install_triggers(layer: Layer) -> bool:
    """Put the change-feed triggers on the layer's table; False when it is not a table."""
    rel = source_for(layer).relation()
    with connection.cursor() as cur:
        name = _qualified(cur, rel.relation)
        if name is None:
            return False
        cur.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s)"
            " AND tgname LIKE 'geo_ioc_changes_%%'",
            [name],
        )
        if cur.fetchone()[0] == len(_TRIGGERS) + 1:
            return True
        args = [sql.Literal(rel.geom_column), sql.Literal("4326"), sql.Literal(rel.id_column)]
        for suffix, timing in _TRIGGERS.items():
            trigger = sql.Identifier(f"geo_ioc_changes_{suffix}")
            cur.execute(
                sql.SQL("DROP TRIGGER IF EXISTS {} ON {}")
                .format(trigger, rel.relation)
                .as_string(cur.connection)
            )
            cur.execute(
                sql.SQL(
                    "CREATE TRIGGER {name} " + timing + " FOR EACH STATEMENT"
                    " EXECUTE FUNCTION geo_ioc_layer_changed({args})"
                )
                .format(name=trigger, rel=rel.relation, args=sql.SQL(", ").join(args))
                .as_string(cur.connection)
            )
        cur.execute(
            sql.SQL(
                "DROP TRIGGER IF EXISTS geo_ioc_changes_trunc ON {rel};"
                " CREATE TRIGGER geo_ioc_changes_trunc AFTER TRUNCATE ON {rel}"
                " FOR EACH STATEMENT EXECUTE FUNCTION geo_ioc_layer_truncated()"
            )
            .format(rel=rel.relation)
            .as_string(cur.connection)
        )
    return True


def install_all() -> list[str]:
    """Triggers on every catalogue layer's table; returns the slugs that got them."""
    return [layer.slug for layer in Layer.objects.all() if install_triggers(layer)]


def record_whole_layer(layer: Layer, operation: str = "replace") -> None:
    """Log that every feature of a layer changed (a dropped and re-created table)."""
    with connection.cursor() as cur:
        rel = source_for(layer).relation()
        name = _qualified(cur, rel.relation) or layer.slug
        cur.execute(
            "INSERT INTO layers_layerchange (relation, operation, row_count, created)"
            " VALUES (%s, %s, 0, now()) RETURNING id",
            [name, operation],
        )
        cur.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(cur.fetchone()[0])])


# --- reading the feed ------------------------------------------------------------------------


_relations: tuple[float, dict[str, set[str]]] | None = None
RELATIONS_TTL = 30.0


def _relation_map(fresh: bool = False) -> dict[str, set[str]]:
    """Which layers each table feeds (kept a few seconds; dropped on catalogue changes)."""
    global _relations
    if fresh or _relations is None or time.monotonic() - _relations[0] > RELATIONS_TTL:
        _relations = (time.monotonic(), _read_relation_map())
    return _relations[1]


def _read_relation_map() -> dict[str, set[str]]:
    """Which layers each table feeds, dependants included (`depends_on`)."""
    by_relation: dict[str, set[str]] = {}
    layers = list(Layer.objects.all())
    with connection.cursor() as cur:
        for layer in layers:
            name = _qualified(cur, source_for(layer).relation().relation)
            if name:
                by_relation.setdefault(name, set()).add(layer.slug)
    for layer in layers:
        for parent in layer.depends_on or []:
            for slugs in by_relation.values():
                if parent in slugs:
                    slugs.add(layer.slug)
    return by_relation


def _dependants(slugs: Iterable[str]) -> set[str]:
    wanted = set(slugs)
    found = set(wanted)
    for slug, parents in Layer.objects.values_list("slug", "depends_on"):
        if wanted & set(parents or []):
            found.add(slug)
    return found


def newest_id() -> int:
    """The id of the newest change (0 when the feed is empty)."""
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(max(id), 0) FROM layers_layerchange")
        return int(cur.fetchone()[0])


def read_since(after: int, limit: int = 5000) -> list[LayerChange]:
    """Changes committed after id `after`, oldest first, mapped to the layers they touch."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, relation, operation, feature_ids, ST_AsBinary(geom)"
            " FROM layers_layerchange WHERE id > %s ORDER BY id LIMIT %s",
            [after, limit],
        )
        rows = cur.fetchall()
    if not rows:
        return []
    relations = _relation_map(fresh=any(r[1] == CATALOGUE for r in rows))
    out = []
    for change_id, relation, operation, ids, wkb in rows:
        if relation == CATALOGUE:
            layers = _dependants(ids or [])
            geometry = None
            operation = f"{CATALOGUE}:{operation}"
        else:
            layers = relations.get(relation, set())
            geometry = shapely.from_wkb(bytes(wkb)) if wkb is not None else None
        if layers:
            out.append(
                LayerChange(
                    id=change_id,
                    layers=frozenset(layers),
                    operation=operation,
                    feature_ids=tuple(ids) if ids is not None else None,
                    geometry=geometry,
                )
            )
        else:
            # Keep the cursor moving past changes to tables no layer shows (any more).
            out.append(LayerChange(change_id, frozenset(), operation, None, None))
    return out


def prune() -> int:
    """Forget changes older than the retention period; every cursor is far past them."""
    with connection.cursor() as cur:
        cur.execute(
            f"DELETE FROM layers_layerchange WHERE created < now() - interval '{RETENTION}'"
        )
        return int(cur.rowcount)


# --- applying the feed -----------------------------------------------------------------------

Applier = Callable[[], int]
_appliers: list[Applier] = []
_apply_lock = threading.Lock()


def subscribe(applier: Applier) -> None:
    """Register a function that reads and applies pending changes (idempotent, returns count)."""
    if applier not in _appliers:
        _appliers.append(applier)


def apply_pending() -> int:
    """Run every subscriber now; serialised within the process."""
    done = 0
    with _apply_lock:
        for applier in _appliers:
            try:
                done += applier()
            except Exception:  # a broken cache must not break the write that triggered it
                log.exception("applying layer changes failed")
    return done


def layer_tables() -> set[str]:
    """Unqualified names of the tables behind layers (to spot model writes cheaply)."""
    return {name.rpartition(".")[2] for name in _relation_map()}


def active() -> bool:
    """Whether anything in this process follows the feed."""
    return bool(_appliers)


def after_commit() -> None:
    """Apply this process's own writes as soon as they commit (read-your-writes on tiles)."""
    if _appliers:
        transaction.on_commit(apply_pending)


class _Listener(threading.Thread):
    """LISTENs for change ids and applies the feed; polls as a backstop and prunes the log."""

    def __init__(self) -> None:
        super().__init__(name="layer-change-listener", daemon=True)

    def run(self) -> None:
        from geo_ioc.core.db import conninfo

        last_prune = 0.0
        while True:
            try:
                with psycopg.connect(conninfo(), autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                    self._apply()
                    while True:
                        for _ in conn.notifies(timeout=POLL_SECONDS, stop_after=1):
                            pass
                        self._apply()
                        if time.monotonic() - last_prune > 600:
                            last_prune = time.monotonic()
                            self._run(prune)
            except Exception:
                log.exception("layer change listener lost its connection; retrying")
                time.sleep(1.0)

    def _apply(self) -> None:
        self._run(apply_pending)

    @staticmethod
    def _run(fn: Callable[[], int]) -> None:
        close_old_connections()
        try:
            fn()
        finally:
            connection.close()


_listener: _Listener | None = None
_listener_lock = threading.Lock()


def start_listener() -> None:
    """Start the process's listener thread once (lazily, from the first cache use)."""
    global _listener
    with _listener_lock:
        if _listener is None or not _listener.is_alive():
            _listener = _Listener()
            _listener.start()
