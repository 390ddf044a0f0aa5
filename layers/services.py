"""Writes to the catalogue."""

from __future__ import annotations

from layers import catalogue
from layers.models import Layer
from layers.sources import source_for


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
