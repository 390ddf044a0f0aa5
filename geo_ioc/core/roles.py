"""The roles of the control room, as Django groups."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group


class Role(StrEnum):
    """A group a user belongs to; decides which layers and fields they see."""

    OPERATOR = "operator"
    LAND_OFFICER = "land_officer"
    PLANNER = "planner"
    POLICE = "police"  # number-plate reads and cold fines (the cameras app's ANPR layer)
    ADMIN = "admin"


def ensure_groups() -> None:
    """Create the role groups if they are missing (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """Names of the role groups of a user; superusers hold every role."""
    if not user.is_authenticated:
        return frozenset()
    if getattr(user, "is_superuser", False):
        return frozenset(r.value for r in Role)
    cached: frozenset[str] | None = getattr(user, "_geo_ioc_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        user._geo_ioc_roles = cached  # type: ignore[attr-defined]
    return cached
