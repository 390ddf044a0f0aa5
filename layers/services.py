"""Writes to the catalogue: statistics, and the registration of the apps' own layers.

An app declares its catalogue layers in a `layers.yaml` beside its `apps.py` (validated by the
strict `LayerDefinition` schema, so a typo fails naming the file, the layer and the key).
`geo-ioc migrate` registers them (a post_migrate hook): the app's definition is the truth, as
the demo loader's upsert is, so an operator's edit of such an entry in the admin lasts until the
next migrate. What a data loader records about the data it wrote — its attribution, the
synthetic flag and the note it adds to the description — is kept on an entry that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.apps import AppConfig, apps
from django.db import DatabaseError, connections, transaction
from django.db.models.signals import post_migrate

from layers import catalogue
from layers.definitions import LayerDefinition
from layers.models import Layer
from layers.sources import source_for

LAYERS_FILE = "layers.yaml"
# Recorded by the loader that wrote the data, not declared by the app (see the module's doc).
PROVENANCE = ("attribution", "synthetic", "description")


@dataclass(frozen=True)
class AppLayers:
    """The catalogue layers one app declares in its `layers.yaml`."""

    app: str
    path: Path
    definitions: tuple[LayerDefinition, ...]


def read_definitions(text: str, origin: str) -> dict[str, LayerDefinition]:
    """Definitions from the YAML text of a layers file; errors name the file and the layer."""
    data: dict[str, Any] = yaml.safe_load(text) or {}
    out: dict[str, LayerDefinition] = {}
    for raw in data.get("layers") or []:
        try:
            defn = LayerDefinition.model_validate(raw)
        except ValueError as exc:
            raise ValueError(f"{origin}, layer {raw.get('slug')!r}: {exc}") from exc
        if defn.slug in out:
            raise ValueError(f"{origin}: layer {defn.slug!r} is defined twice")
        out[defn.slug] = defn
    return out


def app_layers(config: AppConfig) -> AppLayers | None:
    """The layers an installed app declares, or None when it has no layers file."""
    path = Path(config.path) / LAYERS_FILE
    if not path.is_file():
        return None
    origin = f"{config.name.replace('.', '/')}/{LAYERS_FILE}"
    defs = read_definitions(path.read_text("utf-8"), origin)
    return AppLayers(app=config.label, path=path, definitions=tuple(defs.values()))


def declared_layers() -> dict[str, LayerDefinition]:
    """Every installed app's declared layers by slug; a slug declared twice is an error."""
    out: dict[str, LayerDefinition] = {}
    owner: dict[str, str] = {}
    for config in apps.get_app_configs():
        declared = app_layers(config)
        for defn in declared.definitions if declared else ():
            if defn.slug in out:
                raise ValueError(
                    f"layer {defn.slug!r} is declared by both {owner[defn.slug]} and {config.label}"
                )
            out[defn.slug] = defn
            owner[defn.slug] = config.label
    return out


def register(defn: LayerDefinition) -> Layer:
    """Create or update an app's catalogue entry, keeping the data's provenance when it exists."""
    existing = Layer.objects.filter(slug=defn.slug).first()
    if existing is not None:
        kept = {name: getattr(existing, name) for name in PROVENANCE}
        data = defn.model_dump(mode="json", by_alias=True)
        defn = LayerDefinition.model_validate({**data, **kept})
    layer = Layer.upsert(defn)
    if existing is None:
        try:
            with transaction.atomic():
                refresh_stats(layer)
        except DatabaseError:  # a table layer whose table its data's import has yet to create
            pass
    return layer


def register_app_layers(config: AppConfig) -> list[Layer]:
    """Register the layers one app declares (idempotent)."""
    declared = app_layers(config)
    if declared is None:
        return []
    with transaction.atomic():
        return [register(defn) for defn in declared.definitions]


def _migrated(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    if Layer._meta.db_table not in connections[using].introspection.table_names():
        return  # a partial migrate that has not created the catalogue yet
    register_app_layers(sender)


def connect() -> None:
    """Register each app's layers after `migrate` (from the layers app's ready())."""
    post_migrate.connect(_migrated, dispatch_uid="layers-register-app-layers")


def refresh_stats(layer: Layer) -> Layer:
    """Recount a layer's features and recompute its extent."""
    source = source_for(layer)
    count = source.count()
    extent = source.extent()
    Layer.objects.filter(pk=layer.pk).update(
        feature_count=count, extent=list(extent) if extent else None
    )
    catalogue.changed()  # `update` sends no signal; /layers and TileJSON show the new extent
    layer.refresh_from_db(fields=["feature_count", "extent"])
    return layer
