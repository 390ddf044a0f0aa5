"""Who may see which layer and which field."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from geo_ioc.core.errors import NotAuthenticated, NotFound, PermissionDenied
from geo_ioc.core.roles import Role, user_roles
from layers.definitions import AccessLevel, FieldDef
from layers.models import Layer

User = AbstractBaseUser | AnonymousUser


def may_see_level(user: User, level: AccessLevel | str, allowed_groups: set[str]) -> bool:
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


def _allowed_groups(layer: Layer) -> set[str]:
    cached: set[str] | None = getattr(layer, "_allowed_group_names", None)
    if cached is None:
        cached = {g.name for g in layer.allowed_groups.all()}
        layer._allowed_group_names = cached  # type: ignore[attr-defined]
    return cached


def can_view(user: User, layer: Layer) -> bool:
    """Whether the user may see the layer at all."""
    return may_see_level(user, layer.access_level, _allowed_groups(layer))


def visible_layers(user: User) -> list[Layer]:
    """The catalogue as this user may see it, in display order."""
    qs: QuerySet[Layer] = Layer.objects.prefetch_related("allowed_groups")
    return [layer for layer in qs if can_view(user, layer)]


def visible_fields(user: User, layer: Layer) -> list[FieldDef]:
    """The exposed fields this user may see (restricted fields follow the layer's groups)."""
    groups = _allowed_groups(layer)
    return [f for f in layer.field_defs() if may_see_level(user, f.access, groups)]


def get_visible_layer(user: User, slug: str) -> Layer:
    """The layer by slug, or an error: 404 if unknown, 401/403 if the user may not see it."""
    layer = Layer.objects.prefetch_related("allowed_groups").filter(slug=slug).first()
    if layer is None:
        raise NotFound(f"Unknown layer {slug!r}.", field="layer")
    if not can_view(user, layer):
        if not user.is_authenticated:
            raise NotAuthenticated(f"Layer {slug!r} requires authentication.")
        raise PermissionDenied(f"You may not see layer {slug!r}.")
    return layer
