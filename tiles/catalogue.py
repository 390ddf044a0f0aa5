"""The catalogue as the tile path needs it: entries of the process's layer catalogue.

The layers themselves are kept by `layers.catalogue` (read once per process, dropped on
catalogue changes); access follows `layers.access`. This module adds what only tiles need:
the cache variant of a field selection.
"""

from __future__ import annotations

import hashlib

from layers import catalogue
from layers.access import User, entry_fields, resolve
from layers.catalogue import Entry
from layers.definitions import FieldDef

TileLayer = Entry


def lookup(slug: str) -> TileLayer | None:
    """The layer by slug from memory (read when missing or old); None when unknown."""
    return catalogue.lookup(slug)


def peek(slug: str) -> TileLayer | None:
    """The layer from memory only: None when unknown or the catalogue is not loaded or old."""
    snapshot = catalogue.peek()
    return snapshot.by_slug.get(slug) if snapshot is not None else None


def is_public(entry: TileLayer) -> bool:
    """Whether anyone, signed in or not, may see the layer."""
    return entry.is_public


def forget(slugs: set[str] | None = None) -> None:
    """Drop the catalogue so that the next lookup reads it again (it is read whole)."""
    catalogue.forget()


def visible(user: User, slug: str) -> TileLayer:
    """The layer if the user may see it: 404 unknown, 401/403 not allowed (`layers.access`)."""
    return resolve(user, slug)


def fields_for(user: User, entry: TileLayer) -> list[FieldDef]:
    """The fields this user sees in the layer's tiles."""
    return entry_fields(user, entry)


def variant(fields: list[list[FieldDef]], entries: list[TileLayer]) -> str:
    """Cache variant of a field selection: `public` for what anyone sees, else a digest."""
    names = [tuple(f.name for f in fs) for fs in fields]
    if names == [e.public_fields for e in entries]:
        return "public"
    return hashlib.sha1(repr(names).encode()).hexdigest()[:12]
