"""Source kind `model`: a GeoDjango model that a domain app owns."""

from __future__ import annotations

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.db import models
from psycopg import sql

from layers.sources.base import register
from layers.sources.postgis import SqlSource
from layers.sources.relation import SqlRelation


@register("model")
class ModelSource(SqlSource):
    """Rows of a model's table; uses its `geom_3857` field when it has one."""

    def model(self) -> type[models.Model]:
        """The model class named in the definition."""
        return apps.get_model(self.layer.source["model"])

    def find_relation(self) -> SqlRelation:
        """The model's table, its primary key and its first 4326 geometry field."""
        model = self.model()
        meta = model._meta
        geoms = [f for f in meta.concrete_fields if isinstance(f, GeometryField)]
        by_srid = {f.srid: f for f in geoms}
        if 4326 not in by_srid:
            raise LookupError(f"{meta.label} has no EPSG:4326 geometry field")
        geom_column = str(by_srid[4326].column)
        geom_3857: sql.Composable
        if 3857 in by_srid:
            geom_3857 = sql.Identifier(str(by_srid[3857].column))
        else:
            geom_3857 = sql.SQL("ST_Transform({}, 3857)").format(sql.Identifier(geom_column))
        assert meta.pk is not None
        return SqlRelation(
            relation=sql.Identifier(meta.db_table),
            id_column=str(meta.pk.column),
            geom_column=geom_column,
            geom_3857=geom_3857,
        )
