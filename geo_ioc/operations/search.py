"""Incidents in the search box: by code, by words of their description, road or unit, by type."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from geo_ioc.operations.models import Incident
from geo_ioc.search.providers import SearchProvider
from geo_ioc.search.queries import titles
from geo_ioc.search.schemas import Result
from geo_ioc.search.text import fold, words
from layers.access import User, hidden_fields, without
from layers.models import Layer

OPEN = (Incident.Status.NEW, Incident.Status.ACKNOWLEDGED, Incident.Status.DISPATCHED)


# Text fields searched word by word, when the caller may see them.
WORD_FIELDS = ("description", "road_name", "responsible_unit")


def _incident_matches(text: str, hidden: frozenset[str] = frozenset()) -> QuerySet[Incident]:
    """Incidents by code, by every word in their visible text fields, or by type name."""
    folded = fold(text.strip())
    types = [
        t.value
        for t in Incident.Type
        if folded and (folded in fold(str(t.label)) or folded in t.value.replace("_", " "))
    ]
    searched = [name for name in WORD_FIELDS if name not in hidden]
    by_words = Q()
    for word in words(text):
        any_field = Q()
        for name in searched:
            any_field |= Q(**{f"{name}__unaccent__icontains": word})
        by_words &= any_field
    condition = Q(code__istartswith=text.strip()) | Q(type__in=types)
    if words(text) and searched:
        condition |= by_words
    return Incident.objects.filter(condition)


def _incident_rank(code: str, text: str) -> int:
    """0 for the incident's own code, 1 for a code prefix, 3 (a substring) for the rest."""
    if code == text:
        return 0
    return 1 if code.startswith(text) else 3


def incidents(
    layer: Layer, text: str, limit: int, hidden: frozenset[str] = frozenset()
) -> list[Result]:
    """Matching incidents, open ones first, newest first; `hidden` fields neither match nor show."""
    qs = _incident_matches(text, hidden).annotate(
        is_open=Case(
            When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    exact = text.strip().upper()
    out = []
    for incident in qs.order_by("is_open", "-reported_at")[:limit]:
        shown = without(
            {
                "description": incident.description,
                "road_name": incident.road_name,
                "type": incident.type,
                "severity": incident.severity,
                "status": incident.status,
                "reported_at": incident.reported_at.isoformat(),
            },
            hidden,
        )
        out.append(
            Result(
                kind="incident",
                layer=layer.slug,
                layer_title=titles(layer),
                id=str(incident.pk),
                title=incident.code,
                subtitle=str(shown.get("description") or shown.get("road_name") or "") or None,
                lon=incident.geom.x,
                lat=incident.geom.y,
                rank=_incident_rank(incident.code.upper(), exact),
                properties={k: v for k, v in shown.items() if k != "description"},
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
        return incidents(layer, text, limit, hidden_fields(user, layer.slug))
