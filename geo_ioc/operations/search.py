"""Incidents in the search box: by code, by words of their description, road or unit, by type."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from geo_ioc.operations.models import Incident
from geo_ioc.search.providers import SearchProvider
from geo_ioc.search.queries import titles
from geo_ioc.search.schemas import Result
from geo_ioc.search.text import fold, words
from layers.access import User
from layers.models import Layer

OPEN = (Incident.Status.NEW, Incident.Status.ACKNOWLEDGED, Incident.Status.DISPATCHED)


def _incident_matches(text: str) -> QuerySet[Incident]:
    """Incidents by code, by every word in their description, road or unit, or by type name."""
    folded = fold(text.strip())
    types = [
        t.value
        for t in Incident.Type
        if folded and (folded in fold(str(t.label)) or folded in t.value.replace("_", " "))
    ]
    by_words = Q()
    for word in words(text):
        by_words &= (
            Q(description__unaccent__icontains=word)
            | Q(road_name__unaccent__icontains=word)
            | Q(responsible_unit__unaccent__icontains=word)
        )
    condition = Q(code__istartswith=text.strip()) | Q(type__in=types)
    if words(text):
        condition |= by_words
    return Incident.objects.filter(condition)


def _incident_rank(code: str, text: str) -> int:
    """0 for the incident's own code, 1 for a code prefix, 3 (a substring) for the rest."""
    if code == text:
        return 0
    return 1 if code.startswith(text) else 3


def incidents(layer: Layer, text: str, limit: int) -> list[Result]:
    """Matching incidents, open ones first, newest first."""
    qs = _incident_matches(text).annotate(
        is_open=Case(
            When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    exact = text.strip().upper()
    out = []
    for incident in qs.order_by("is_open", "-reported_at")[:limit]:
        out.append(
            Result(
                kind="incident",
                layer=layer.slug,
                layer_title=titles(layer),
                id=str(incident.pk),
                title=incident.code,
                subtitle=incident.description or incident.road_name or None,
                lon=incident.geom.x,
                lat=incident.geom.y,
                rank=_incident_rank(incident.code.upper(), exact),
                properties={
                    "type": incident.type,
                    "severity": incident.severity,
                    "status": incident.status,
                    "reported_at": incident.reported_at.isoformat(),
                    "road_name": incident.road_name,
                },
            )
        )
    return out


class IncidentSearch(SearchProvider):
    """Incidents, open ones first."""

    kind = "incident"
    layer = "incidents"
    order = 0

    def search(self, layer: Layer, user: User, text: str, limit: int) -> list[Result]:
        """Incidents matching the text."""
        return incidents(layer, text, limit)
