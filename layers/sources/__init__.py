"""Layer sources: how a catalogue entry reaches its rows. Kinds register by name."""

from layers.sources.base import LayerSource, SqlRelation, register, source_for
from layers.sources.model import ModelSource
from layers.sources.table import TableSource

__all__ = ["LayerSource", "ModelSource", "SqlRelation", "TableSource", "register", "source_for"]
