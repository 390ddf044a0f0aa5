"""The layer catalogue read once per process and kept in memory: no query to resolve a layer.

Every endpoint resolves layers here (`layers.access` is its front door). The whole catalogue is
loaded at once (two queries: layers, then their groups) and dropped:
- when this process saves or deletes a layer or changes its groups (signals, again on commit);
- when the change path reports a catalogue change from another process (`changes.subscribe`);
- after `LIFETIME_SECONDS` as a backstop (counts, extents and titles change without a
  catalogue change, e.g. `refresh_stats` in an import process).
A load inside a transaction that changed a layer is served but not kept: a rollback must not
leave its state behind for other requests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from pydantic import ValidationError as SchemaError

from layers.definitions import AccessLevel, FieldDef, LayerDefinition
from layers.models import Layer
from layers.sources.base import LayerSource, source_for
from layers.sources.relation import SqlRelation

log = logging.getLogger(__name__)
LIFETIME_SECONDS = 30.0


@dataclass(frozen=True, eq=False)
class Entry:
    """One catalogue layer with what serving it needs, computed once per load.

    The `layer` record is shared by every request of the process: read it, never save it.
    """

    layer: Layer
    definition: LayerDefinition
    source: LayerSource
    allowed_groups: frozenset[str]
    fields: tuple[FieldDef, ...]
    public_fields: tuple[str, ...] = field(init=False)
    # Each field as `/layers` shows it, dumped once per load rather than once per request.
    field_docs: dict[str, dict[str, object]] = field(init=False)

    def __post_init__(self) -> None:
        public = tuple(f.name for f in self.fields if f.access is AccessLevel.PUBLIC)
        object.__setattr__(self, "public_fields", public)
        docs = {f.name: f.model_dump(mode="json", exclude={"access"}) for f in self.fields}
        object.__setattr__(self, "field_docs", docs)

    @property
    def slug(self) -> str:
        """The layer's slug."""
        return self.layer.slug

    @property
    def is_public(self) -> bool:
        """Whether anyone, signed in or not, may see the layer."""
        return self.layer.access_level == AccessLevel.PUBLIC

    @property
    def relation(self) -> SqlRelation:
        """The PostGIS relation of a source that has one (`source.has_relation`)."""
        return self.source.relation()

    def in_range(self, z: int) -> bool:
        """Whether the layer draws at zoom z."""
        return self.layer.min_zoom <= z <= self.layer.max_zoom


@dataclass(frozen=True)
class Snapshot:
    """The whole catalogue in display order, and by slug."""

    entries: tuple[Entry, ...]
    by_slug: dict[str, Entry]
    loaded: float


def entry_for(layer: Layer, groups: frozenset[str]) -> Entry:
    """An entry for a layer record whose groups are known (no query)."""
    defn = LayerDefinition.model_validate(
        {**_definition_data(layer), "allowed_groups": sorted(groups)}
    )
    return Entry(
        layer=layer,
        definition=defn,
        source=source_for(layer, defn),
        allowed_groups=groups,
        fields=tuple(defn.fields),
    )


def _definition_data(layer: Layer) -> dict[str, object]:
    names = [
        "slug",
        "title_vi",
        "title_en",
        "domain",
        "geometry_type",
        "source",
        "fields",
        "min_zoom",
        "max_zoom",
        "style",
        "attribution",
        "access_level",
        "synthetic",
        "description",
        "sort_order",
        "generalize",
        "cache_max_age",
        "depends_on",
    ]
    return {name: getattr(layer, name) for name in names}


def _read() -> Snapshot:
    layers = list(Layer.objects.prefetch_related("allowed_groups"))
    entries = []
    for layer in layers:
        groups = frozenset(g.name for g in layer.allowed_groups.all())
        try:
            entries.append(entry_for(layer, groups))
        except (LookupError, SchemaError):
            # One broken record (a source kind no app registers) must not take down the rest.
            log.exception("layer %r is left out of the catalogue", layer.slug)
    return Snapshot(tuple(entries), {e.slug: e for e in entries}, time.monotonic())


_snapshot: Snapshot | None = None
# Bumped by every `forget`: a read that began before a drop is served but not kept (it may
# predate the change that caused the drop).
_generation = 0
_lock = threading.Lock()
_following = False
_cursor: int | None = None
# Per thread: the outermost atomic block in which this thread's connection wrote a layer.
_local = threading.local()


def _uncommitted_write() -> bool:
    block = getattr(_local, "dirty", None)
    if block is None:
        return False
    if connection.in_atomic_block and connection.atomic_blocks[0] is block:
        return True
    _local.dirty = None  # that transaction ended (commit or rollback) since the write
    return False


def snapshot() -> Snapshot:
    """The catalogue from memory, read again when dropped or older than its lifetime."""
    global _snapshot
    current = _snapshot
    fresh_enough = current is not None and time.monotonic() - current.loaded <= LIFETIME_SECONDS
    if fresh_enough and not _uncommitted_write():
        assert current is not None
        return current
    if _uncommitted_write():
        return _read()  # this transaction's own view, kept from everyone else
    _follow_changes()
    started = _generation
    fresh = _read()
    with _lock:
        if _generation == started:
            _snapshot = fresh
    return fresh


def peek() -> Snapshot | None:
    """The catalogue only if it is in memory and current; never touches the database."""
    current = _snapshot
    if current is None or time.monotonic() - current.loaded > LIFETIME_SECONDS:
        return None
    return current


def lookup(slug: str) -> Entry | None:
    """One entry by slug, None when the catalogue has no such layer."""
    return snapshot().by_slug.get(slug)


def entries() -> Iterator[Entry]:
    """Every entry in display order."""
    return iter(snapshot().entries)


def forget() -> None:
    """Drop the catalogue so that the next lookup reads it again."""
    global _snapshot, _generation
    with _lock:
        _snapshot = None
        _generation += 1


# --- keeping it fresh -----------------------------------------------------------------------


def _apply_changes() -> int:
    """Drop the catalogue when the change path reports a catalogue change (any process).

    The first call (the listener's first pass) only finds where the feed ends: a catalogue
    change committed between this process's first read and that pass is left to the lifetime.
    """
    global _cursor
    from layers import changes

    if _cursor is None:
        _cursor = changes.newest_id()
        return 0
    found = 0
    cursor = _cursor
    while batch := changes.read_since(cursor):
        found += sum(1 for c in batch if c.operation.startswith(changes.CATALOGUE))
        cursor = batch[-1].id
    _cursor = cursor
    if found:
        forget()
    return found


def _follow_changes() -> None:
    """Subscribe to the change path once per process (its listener serves every subscriber).

    Nothing here queries: a cold catalogue costs its two reads and no more.
    """
    global _following
    if _following:
        return
    from layers import changes

    _following = True
    # This process's own catalogue writes drop it through signals: others' through the feed.
    changes.subscribe(_apply_changes, on_local_commit=False)
    changes.start_listener()


def changed() -> None:
    """A layer record was written in this process: drop the catalogue now and on commit.

    Until the transaction ends, this thread reads the catalogue without keeping it.
    """
    forget()
    if connection.in_atomic_block:
        _local.dirty = connection.atomic_blocks[0]
        transaction.on_commit(forget)


def _on_layer_changed(sender: type, **kwargs: object) -> None:
    changed()


post_save.connect(_on_layer_changed, sender=Layer, dispatch_uid="layers-catalogue-save")
post_delete.connect(_on_layer_changed, sender=Layer, dispatch_uid="layers-catalogue-delete")
m2m_changed.connect(
    _on_layer_changed, sender=Layer.allowed_groups.through, dispatch_uid="layers-catalogue-groups"
)
