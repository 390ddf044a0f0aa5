"""The layer change feed: what changed where, for every committed write to a layer.

Triggers on each layer's relation (see `sql/change_feed.sql`) write one change per transaction
and table into the platform's event log (`core_event`), whatever wrote it: the ORM, raw SQL, an
import, psql. Here the changes are read back mapped to the catalogue layers they touch, and the
process's one listener (`geo_ioc.core.live.listener`) wakes the subscribers (the tile cache, the
layer catalogue) after every commit, after this process's own commits at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import connection
from psycopg import sql
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo_ioc.core.live import events, listener
from geo_ioc.core.live.events import Entry
from geo_ioc.core.live.hub import set_resolver
from layers.models import Layer
from layers.sources import source_for

CATALOGUE = "catalogue"


@dataclass(frozen=True)
class LayerChange:
    """A committed change to the features of some layers.

    `id` is its position in the event log. `geometry` (EPSG:3857) covers the old and new shapes
    of the changed features; None means the whole layer changed (a truncate, a replaced table, a
    new definition).
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
            "INSERT INTO core_event (relation, layer, operation, row_count, actor, data,"
            " created_at) VALUES (%s, '', %s, 0, '', '{}', now())",
            [name, operation],
        )
    listener.after_commit()


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
    """The position of the newest entry of the event log (0 when it is empty)."""
    return events.newest_seq()


def layers_of(entry: Entry) -> set[str]:
    """The catalogue layers a logged change touches (none for a domain's message)."""
    if not entry.is_change:
        return set()
    if entry.relation == CATALOGUE:
        return _dependants(entry.feature_ids or [])
    return set(_relation_map(fresh=False).get(entry.relation, set()))


def _change(entry: Entry) -> LayerChange:
    layers = layers_of(entry)
    if entry.relation == CATALOGUE:
        operation = f"{CATALOGUE}:{entry.operation}"
        return LayerChange(entry.seq, frozenset(layers), operation, None, None)
    geometry = shapely.from_wkb(entry.geom_wkb) if entry.geom_wkb is not None else None
    return LayerChange(entry.seq, frozenset(layers), entry.operation, entry.feature_ids, geometry)


def read_since(after: int, limit: int = 5000) -> list[LayerChange]:
    """Changes committed after position `after`, oldest first, mapped to the layers they touch.

    A page that holds only domain messages still moves the cursor: it ends in a change to no
    layer at the page's last position.
    """
    entries = events.read_after(after, limit)
    if any(e.is_change and e.relation == CATALOGUE for e in entries):
        _relation_map(fresh=True)
    out = [_change(e) for e in entries if e.is_change]
    if entries and (not out or out[-1].id != entries[-1].seq):
        out.append(LayerChange(entries[-1].seq, frozenset(), "message", None, None))
    return out


_TO_LONLAT = Transformer.from_crs(3857, 4326, always_xy=True)


def _push_view(entry: Entry) -> tuple[set[str], list[float] | None]:
    """For the live push: the layers a change touches and its bounding box in lon/lat."""
    layers = layers_of(entry)
    if not layers or entry.geom_wkb is None:
        return layers, None
    minx, miny, maxx, maxy = shapely.from_wkb(entry.geom_wkb).bounds
    (x0, x1), (y0, y1) = _TO_LONLAT.transform([minx, maxx], [miny, maxy])
    return layers, [round(v, 7) for v in (x0, y0, x1, y1)]


set_resolver(_push_view)


# --- following the feed ----------------------------------------------------------------------

Applier = Callable[[], int]


def subscribe(applier: Applier, *, on_local_commit: bool = True) -> None:
    """Wake `applier` (it reads pending changes after its own cursor) after every commit.

    `on_local_commit`: also right after this process's own commits (read your writes).
    """
    listener.subscribe(applier, on_local_commit=on_local_commit)


def apply_pending() -> None:
    """Wake every subscriber now (tests, and a command that wants its changes applied)."""
    listener.wake_all()


def layer_tables() -> set[str]:
    """Unqualified names of the tables behind layers, as far as this process has read them.

    Never queries (it runs on every model save, migrations included); until the map is read,
    the listener's NOTIFY brings a model write to the subscribers a moment later instead.
    """
    return {name.rpartition(".")[2] for name in (_relations[1] if _relations else {})}


def active() -> bool:
    """Whether anything in this process follows its own commits."""
    return listener.follows_local_commits()


def after_commit() -> None:
    """Apply this process's own writes as soon as they commit (read-your-writes on tiles)."""
    listener.after_commit()


def start_listener() -> None:
    """Start the process's listener (idempotent)."""
    listener.start()
