"""The land app's catalogue entries, kept as data in `geo_ioc/land/layers.yaml`."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from layers.definitions import LayerDefinition

PARCELS = "parcels"
ZONES = "planning_zones"
CONFLICTS = "parcel_conflicts"


def definitions() -> dict[str, LayerDefinition]:
    """The land layers by slug; a typo in the YAML fails here, naming the layer."""
    text = resources.files("geo_ioc.land").joinpath("layers.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    out: dict[str, LayerDefinition] = {}
    for raw in data["layers"]:
        try:
            defn = LayerDefinition.model_validate(raw)
        except ValueError as exc:
            raise ValueError(f"geo_ioc/land/layers.yaml, layer {raw.get('slug')!r}: {exc}") from exc
        out[defn.slug] = defn
    return out
