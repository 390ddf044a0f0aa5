"""Reads of the catalogue, shaped for the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from layers.access import User, visible_fields, visible_layers
from layers.models import Layer


def layer_summary(request: HttpRequest, layer: Layer, user: User) -> dict[str, Any]:
    """One catalogue entry as the caller may see it."""
    return {
        "slug": layer.slug,
        "title": {"vi": layer.title_vi, "en": layer.title_en},
        "domain": layer.domain,
        "geometry_type": layer.geometry_type,
        "access_level": layer.access_level,
        "synthetic": layer.synthetic,
        "min_zoom": layer.min_zoom,
        "max_zoom": layer.max_zoom,
        "extent": layer.extent,
        "feature_count": layer.feature_count,
        "attribution": layer.attribution,
        "description": layer.description,
        "fields": [
            f.model_dump(mode="json", exclude={"access"}) for f in visible_fields(user, layer)
        ],
        "style": layer.style,
        "links": {
            "tilejson": request.build_absolute_uri(
                reverse("tilejson", kwargs={"layers": layer.slug})
            ),
        },
    }


def catalogue(request: HttpRequest) -> dict[str, Any]:
    """The catalogue the caller may see."""
    user = request.user
    return {"layers": [layer_summary(request, layer, user) for layer in visible_layers(user)]}
