"""Cameras in the search box: by code, or by every word of their name, road or owner unit."""

from __future__ import annotations

from django.db.models import Q

from geo_ioc.cameras.models import Camera
from geo_ioc.search.providers import SearchProvider
from geo_ioc.search.queries import titles
from geo_ioc.search.schemas import Result
from geo_ioc.search.text import words
from layers.access import User
from layers.models import Layer


def _rank(code: str, text: str) -> int:
    if code == text:
        return 0
    return 1 if code.startswith(text) else 3


class CameraSearch(SearchProvider):
    """Cameras; tampered and offline ones first among equals (they are why one searches)."""

    kind = "camera"
    layer = "cameras"
    order = 4

    def search(self, layer: Layer, user: User, text: str, limit: int) -> list[Result]:
        """Cameras matching the text (never their URLs)."""
        condition = Q(code__istartswith=text.strip())
        if words(text):
            by_words = Q()
            for word in words(text):
                by_words &= (
                    Q(name__unaccent__icontains=word)
                    | Q(road_name__unaccent__icontains=word)
                    | Q(owner_unit__unaccent__icontains=word)
                )
            condition |= by_words
        exact = text.strip().upper()
        return [
            Result(
                kind=self.kind,
                layer=layer.slug,
                layer_title=titles(layer),
                id=str(c.pk),
                title=c.code,
                subtitle=c.name,
                lon=c.geom.x,
                lat=c.geom.y,
                rank=_rank(c.code.upper(), exact),
                properties={
                    "status": c.status,
                    "kind": c.kind,
                    "tamper": c.tamper,
                    "road_name": c.road_name,
                },
            )
            for c in Camera.objects.filter(condition).order_by("code")[:limit]
        ]
