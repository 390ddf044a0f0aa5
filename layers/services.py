"""Writes to the catalogue."""

from __future__ import annotations

from layers.models import Layer
from layers.sources import source_for


def refresh_stats(layer: Layer) -> Layer:
    """Recount a layer's features and recompute its extent."""
    source = source_for(layer)
    extent = source.extent()
    Layer.objects.filter(pk=layer.pk).update(
        feature_count=source.count(), extent=list(extent) if extent else None
    )
    layer.refresh_from_db(fields=["feature_count", "extent"])
    return layer
