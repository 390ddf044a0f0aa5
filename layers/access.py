"""Who may see which layer and which field: the one place of the 404/401/403 ladder.

Every endpoint resolves its layers here, against the in-memory catalogue (`layers.catalogue`):
an unknown layer is 404, a layer hidden from an anonymous caller 401, hidden from this user
403; restricted fields follow the layer's groups. The user's roles are read once per request
(`user_roles` keeps them on the user object), so none of this costs a query per call.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from geo_ioc.core.errors import NotAuthenticated, NotFound, PermissionDenied
from geo_ioc.core.roles import Role, user_roles
from layers import catalogue
from layers.catalogue import Entry
from layers.definitions import AccessLevel, FieldDef
from layers.models import Layer

User = AbstractBaseUser | AnonymousUser


def may_see_level(
    user: User, level: AccessLevel | str, allowed_groups: set[str] | frozenset[str]
) -> bool:
    """Public is for everyone, staff for any user with a role, restricted for named groups."""
    level = AccessLevel(level)
    if level is AccessLevel.PUBLIC:
        return True
    roles = user_roles(user)
    if not roles and not getattr(user, "is_staff", False):
        return False
    if level is AccessLevel.STAFF:
        return True
    return Role.ADMIN.value in roles or bool(roles & allowed_groups)


def may_see(user: User, entry: Entry) -> bool:
    """Whether the user may see the catalogue entry at all."""
    return entry.is_public or may_see_level(user, entry.layer.access_level, entry.allowed_groups)


def resolve(user: User, slug: str) -> Entry:
    """The entry by slug, or an error: 404 if unknown, 401/403 if the user may not see it."""
    entry = catalogue.lookup(slug)
    if entry is None:
        raise NotFound(f"Unknown layer {slug!r}.", field="layer")
    if not may_see(user, entry):
        if not user.is_authenticated:
            raise NotAuthenticated(f"Layer {slug!r} requires authentication.")
        raise PermissionDenied(f"You may not see layer {slug!r}.")
    return entry


def resolve_all(user: User, slugs: Sequence[str]) -> list[Entry]:
    """Entries for several slugs, each checked (the first refusal wins)."""
    return [resolve(user, slug) for slug in slugs]


def visible_entries(user: User) -> list[Entry]:
    """The catalogue entries this user may see, in display order."""
    return [entry for entry in catalogue.entries() if may_see(user, entry)]


def entry_fields(user: User, entry: Entry) -> list[FieldDef]:
    """The exposed fields of an entry this user may see (restricted ones follow its groups)."""
    if not user.is_authenticated:
        return [f for f in entry.fields if f.name in entry.public_fields]
    return [f for f in entry.fields if may_see_level(user, f.access, entry.allowed_groups)]


# --- the same, for callers holding `Layer` records -----------------------------------------


def entry_of(layer: Layer) -> Entry:
    """The catalogue entry of a record: itself when it came from the catalogue, else built."""
    entry = catalogue.lookup(layer.slug)
    if entry is not None and entry.layer is layer:
        return entry
    groups: frozenset[str] | None = getattr(layer, "_allowed_group_names", None)
    if groups is None:
        groups = frozenset(g.name for g in layer.allowed_groups.all()) if layer.pk else frozenset()
        layer._allowed_group_names = groups  # type: ignore[attr-defined]
    return catalogue.entry_for(layer, groups)


def can_view(user: User, layer: Layer) -> bool:
    """Whether the user may see the layer at all."""
    return may_see(user, entry_of(layer))


def visible_layers(user: User) -> list[Layer]:
    """The catalogue as this user may see it, in display order."""
    return [entry.layer for entry in visible_entries(user)]


def visible_fields(user: User, layer: Layer) -> list[FieldDef]:
    """The exposed fields this user may see (restricted fields follow the layer's groups)."""
    return entry_fields(user, entry_of(layer))


def get_visible_layer(user: User, slug: str) -> Layer:
    """The layer by slug, or an error: 404 if unknown, 401/403 if the user may not see it."""
    return resolve(user, slug).layer


# --- fields, for every output that is not the layer machinery ----------------------------------
# A field of one layer that repeats a field of another (an alert quoting the incident's
# description) is hidden wherever its source is: (layer, field) → (source layer, source field).
_DERIVED: dict[tuple[str, str], tuple[str, str]] = {}


def derive(layer: str, field: str, source_layer: str, source_field: str) -> None:
    """Declare that `layer.field` carries `source_layer.source_field` (apps call it when ready)."""
    _DERIVED[(layer, field)] = (source_layer, source_field)


def hidden_fields(user: User, slug: str) -> frozenset[str]:
    """The fields of layer `slug` this user may not see.

    The one answer every output asks (the API of a domain, the search, live payloads, CAP), so
    that a field restricted in the catalogue is hidden everywhere, not only in tiles and features.
    """
    hidden: set[str] = set()
    entry = catalogue.lookup(slug)
    if entry is not None:
        visible = {f.name for f in entry_fields(user, entry)}
        hidden = {f.name for f in entry.fields if f.name not in visible}
    for (layer, field), (source_layer, source_field) in _DERIVED.items():
        if layer == slug and source_field in hidden_fields(user, source_layer):
            hidden.add(field)
    return frozenset(hidden)


def hidden_by_layer(user: User, slugs: set[str]) -> dict[str, frozenset[str]]:
    """`hidden_fields` of each layer that hides any (what a live subscriber must not get)."""
    return {slug: names for slug in slugs if (names := hidden_fields(user, slug))}


def without(properties: dict[str, object], hidden: frozenset[str]) -> dict[str, object]:
    """The properties without the hidden ones (a copy; the input may be shared)."""
    if not hidden:
        return properties
    return {k: v for k, v in properties.items() if k not in hidden}


def redact_feature(feature: dict[str, object], hidden: frozenset[str]) -> dict[str, object]:
    """A GeoJSON-like feature (or live message body) with hidden properties removed."""
    props = feature.get("properties")
    if not hidden or not isinstance(props, dict):
        return feature
    return {**feature, "properties": without(props, hidden)}
