"""The catalogue as the tile path needs it, kept in memory: no query per tile request.

Entries are dropped when this process saves a layer (signals), when the change feed reports a
catalogue change from another process, and after a short lifetime as a backstop.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save

from geo_ioc.core.errors import NotAuthenticated, NotFound, PermissionDenied
from layers.access import User, can_view, visible_fields
from layers.definitions import AccessLevel, FieldDef, LayerDefinition
from layers.models import Layer
from layers.sources import SqlRelation, source_for

LIFETIME_SECONDS = 30.0


@dataclass(frozen=True)
class TileLayer:
    """A catalogue layer with what rendering its tiles needs, computed once."""

    layer: Layer
    definition: LayerDefinition
    relation: SqlRelation
    public_fields: tuple[str, ...]

    @property
    def slug(self) -> str:
        """The layer's slug."""
        return self.layer.slug

    def in_range(self, z: int) -> bool:
        """Whether the layer draws at zoom z."""
        return self.layer.min_zoom <= z <= self.layer.max_zoom


_entries: dict[str, tuple[float, TileLayer | None]] = {}
_lock = threading.Lock()


def _load(slug: str) -> TileLayer | None:
    layer = Layer.objects.prefetch_related("allowed_groups").filter(slug=slug).first()
    if layer is None:
        return None
    defn = layer.definition()
    public = tuple(f.name for f in defn.fields if f.access.value == "public")
    return TileLayer(layer, defn, source_for(layer).relation(), public)


def lookup(slug: str) -> TileLayer | None:
    """The layer by slug from memory, loading it when missing or old."""
    now = time.monotonic()
    entry = _entries.get(slug)
    if entry is None or now - entry[0] > LIFETIME_SECONDS:
        entry = (now, _load(slug))
        with _lock:
            _entries[slug] = entry
    return entry[1]


def peek(slug: str) -> TileLayer | None:
    """The layer from memory only: None when unknown, not loaded or old (reading needs the DB)."""
    entry = _entries.get(slug)
    if entry is None or time.monotonic() - entry[0] > LIFETIME_SECONDS:
        return None
    return entry[1]


def is_public(entry: TileLayer) -> bool:
    """Whether anyone, signed in or not, may see the layer."""
    return entry.layer.access_level == AccessLevel.PUBLIC


def forget(slugs: set[str] | None = None) -> None:
    """Drop entries (all when None) so that the next lookup reads the catalogue again."""
    with _lock:
        if slugs is None:
            _entries.clear()
        else:
            for slug in slugs:
                _entries.pop(slug, None)


def visible(user: User, slug: str) -> TileLayer:
    """The layer if the user may see it: 404 unknown, 401/403 not allowed (as `layers.access`)."""
    entry = lookup(slug)
    if entry is None:
        raise NotFound(f"Unknown layer {slug!r}.", field="layer")
    if not can_view(user, entry.layer):
        if not user.is_authenticated:
            raise NotAuthenticated(f"Layer {slug!r} requires authentication.")
        raise PermissionDenied(f"You may not see layer {slug!r}.")
    return entry


def fields_for(user: User, entry: TileLayer) -> list[FieldDef]:
    """The fields this user sees in the layer's tiles."""
    if not user.is_authenticated:
        return [f for f in entry.definition.fields if f.name in entry.public_fields]
    return visible_fields(user, entry.layer)


def variant(fields: list[list[FieldDef]], entries: list[TileLayer]) -> str:
    """Cache variant of a field selection: `public` for what anyone sees, else a digest."""
    names = [tuple(f.name for f in fs) for fs in fields]
    if names == [e.public_fields for e in entries]:
        return "public"
    return hashlib.sha1(repr(names).encode()).hexdigest()[:12]


def _on_layer_saved(sender: type, instance: Layer, **kwargs: object) -> None:
    forget({instance.slug})


post_save.connect(_on_layer_saved, sender=Layer, dispatch_uid="tiles-catalogue-save")
post_delete.connect(_on_layer_saved, sender=Layer, dispatch_uid="tiles-catalogue-delete")
m2m_changed.connect(
    _on_layer_saved, sender=Layer.allowed_groups.through, dispatch_uid="tiles-catalogue-groups"
)
