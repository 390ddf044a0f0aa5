"""Layer sources: each catalogue entry's output (tile part, features, TileJSON, version).

Kinds register by name (`register`); `source_for` builds the one serving a layer.
"""

from layers.sources.base import FeaturePage, LayerSource, register, source_for
from layers.sources.model import ModelSource
from layers.sources.postgis import SqlSource
from layers.sources.relation import SqlRelation
from layers.sources.table import TableSource

__all__ = [
    "FeaturePage",
    "LayerSource",
    "ModelSource",
    "SqlRelation",
    "SqlSource",
    "TableSource",
    "register",
    "source_for",
]
