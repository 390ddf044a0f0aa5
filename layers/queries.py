"""Reads of the catalogue, shaped for the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from layers.access import User, entry_fields, visible_entries
from layers.catalogue import Entry


def layer_summary(request: HttpRequest, entry: Entry, user: User) -> dict[str, Any]:
    """One catalogue entry as the caller may see it."""
    layer = entry.layer
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
        "fields": [entry.field_docs[f.name] for f in entry_fields(user, entry)],
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
    return {"layers": [layer_summary(request, entry, user) for entry in visible_entries(user)]}
