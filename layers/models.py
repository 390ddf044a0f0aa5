"""The layer catalogue: one `Layer` record per layer the server knows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from pydantic import ValidationError as SchemaError

from layers.definitions import AccessLevel, Domain, FieldDef, GeometryType, LayerDefinition


def _choices(enum: type[Any]) -> list[tuple[str, str]]:
    return [(m.value, m.value) for m in enum]


class Layer(models.Model):
    """A catalogue entry; its JSON parts follow `LayerDefinition`, checked on every save."""

    slug = models.SlugField(max_length=63, unique=True)
    title_vi = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    domain = models.CharField(max_length=32, choices=_choices(Domain))
    geometry_type = models.CharField(max_length=32, choices=_choices(GeometryType))
    source = models.JSONField(help_text="{'kind': 'table', 'table': …} or {'kind': 'model', …}")
    fields = models.JSONField(default=list, blank=True)
    min_zoom = models.PositiveSmallIntegerField(default=0)
    max_zoom = models.PositiveSmallIntegerField(default=22)
    style = models.JSONField(default=list, blank=True, help_text="MapLibre layer fragments")
    attribution = models.TextField(blank=True)
    access_level = models.CharField(
        max_length=16, choices=_choices(AccessLevel), default=AccessLevel.PUBLIC.value
    )
    allowed_groups = models.ManyToManyField(Group, blank=True, related_name="restricted_layers")
    synthetic = models.BooleanField(default=False, help_text="Generated data, not observed")
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=100)
    generalize = models.JSONField(default=list, blank=True, help_text="Per-zoom thinning rules")
    cache_max_age = models.PositiveIntegerField(default=3600, help_text="Tile max-age, seconds")
    depends_on = models.JSONField(default=list, blank=True, help_text="Layers it derives from")
    labels = models.JSONField(
        default=dict, blank=True, help_text="Value names per field: {field: {value: {vi, en}}}"
    )
    updated = models.DateTimeField(auto_now=True)
    # Statistics kept current by imports and loaders (`layers.services.refresh_stats`), so the
    # catalogue endpoint never scans a table.
    feature_count = models.BigIntegerField(null=True, blank=True)
    extent = models.JSONField(null=True, blank=True, help_text="[minx, miny, maxx, maxy], 4326")

    class Meta:
        ordering = ["sort_order", "slug"]

    def __str__(self) -> str:
        return self.slug

    def definition(self) -> LayerDefinition:
        """The record as a validated definition."""
        groups = list(self.allowed_groups.values_list("name", flat=True)) if self.pk else []
        return LayerDefinition.model_validate(
            {
                "slug": self.slug,
                "title_vi": self.title_vi,
                "title_en": self.title_en,
                "domain": self.domain,
                "geometry_type": self.geometry_type,
                "source": self.source,
                "fields": self.fields,
                "min_zoom": self.min_zoom,
                "max_zoom": self.max_zoom,
                "style": self.style,
                "attribution": self.attribution,
                "access_level": self.access_level,
                "allowed_groups": groups,
                "synthetic": self.synthetic,
                "description": self.description,
                "sort_order": self.sort_order,
                "generalize": self.generalize,
                "cache_max_age": self.cache_max_age,
                "depends_on": self.depends_on,
                "labels": self.labels,
            }
        )

    def clean(self) -> None:
        """Validate the JSON parts against the schema; name the layer and the bad key."""
        try:
            self.definition()
        except SchemaError as exc:
            raise ValidationError(f"layer {self.slug!r}: {exc}") from exc

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse to store a definition that does not validate."""
        self.clean()
        super().save(*args, **kwargs)

    def field_defs(self) -> list[FieldDef]:
        """The exposed fields as typed definitions."""
        return [FieldDef.model_validate(f) for f in self.fields]

    @classmethod
    def upsert(cls, defn: LayerDefinition) -> Layer:
        """Create or update the record for a definition (idempotent)."""
        data = defn.model_dump(mode="json", by_alias=True, exclude={"slug", "allowed_groups"})
        layer, _ = cls.objects.update_or_create(slug=defn.slug, defaults=data)
        groups = [Group.objects.get_or_create(name=g)[0] for g in defn.allowed_groups]
        layer.allowed_groups.set(groups)
        return layer


from layers.jobs import ExportJob  # noqa: E402, F401  (export jobs live in their own module)
