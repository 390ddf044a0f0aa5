"""The domain contract: what each app contributes, discovered at start-up.

Every installed app may have a `domain` module (found the way Django's admin finds `admin`
modules, `autodiscover_modules`) that registers its contributions by kind: search providers,
wall-screen kinds, KPI parts, alert-rule kinds. A kind is declared by the package that consumes
it (`geo_ioc.search`, `geo_ioc.walls`, `geo_ioc.operations.rulekinds`, …) with the type every
contribution must have, so the registry stays generic and the core imports no domain. An app's
catalogue layers are its `layers.yaml` (read by `layers.services`).

Contributions are kept per app and reported only for apps that are installed, so settings that
add or remove an app (a test's) see exactly the contributions of the apps in force.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

MODULE = "domain"  # the module of an app that declares its contributions


@dataclass(frozen=True)
class Kind[T]:
    """A kind of contribution: its name and the type each contribution of it must have."""

    name: str
    # Not `type[T]`: a kind's type is usually abstract (a protocol's base class), which mypy
    # refuses there; the declaration's annotation (`Kind[SearchProvider]`) carries T.
    type: type


_lock = threading.Lock()
# kind name → app label → contributions, in registration order.
_registry: dict[str, dict[str, list[Any]]] = {}
_kinds: dict[str, Kind[Any]] = {}


def _app_of(module: str) -> str:
    config = apps.get_containing_app_config(module)
    if config is None:
        raise LookupError(f"{module} is not inside an installed app")
    return config.label


def register[T](kind: Kind[T], *items: T, module: str) -> None:
    """Record an app's contributions of a kind (`module`: the caller's `__name__`); idempotent."""
    for item in items:
        if not isinstance(item, kind.type):
            raise TypeError(
                f"{module}: a {kind.name} contribution must be a {kind.type.__name__}, "
                f"got {type(item).__name__}"
            )
    app = _app_of(module)
    with _lock:
        known = _kinds.setdefault(kind.name, kind)
        if known is not kind and known != kind:
            raise ValueError(f"two kinds are named {kind.name!r}")
        mine = _registry.setdefault(kind.name, {}).setdefault(app, [])
        mine.extend(item for item in items if item not in mine)


def contributions[T](kind: Kind[T]) -> list[T]:
    """Every installed app's contributions of a kind, in INSTALLED_APPS order."""
    with _lock:
        by_app = dict(_registry.get(kind.name, {}))
    out: list[T] = []
    for config in apps.get_app_configs():
        out.extend(cast(list[T], by_app.get(config.label, [])))
    return out


def by_app[T](kind: Kind[T]) -> dict[str, list[T]]:
    """The contributions of a kind grouped by the label of the installed app that made them."""
    with _lock:
        registered = dict(_registry.get(kind.name, {}))
    labels = [c.label for c in apps.get_app_configs()]
    return {label: list(registered[label]) for label in labels if label in registered}


def autodiscover() -> None:
    """Import every installed app's `domain` module (from the core's ready())."""
    autodiscover_modules(MODULE)
