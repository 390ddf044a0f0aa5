"""Reads of incidents and of the event log, shaped as GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db.models import QuerySet

from geo_ioc.core.errors import InvalidParameter, NotFound
from geo_ioc.core.inputs import int_or_none
from geo_ioc.operations.models import Incident

PROPERTIES = (
    "code",
    "type",
    "severity",
    "status",
    "source",
    "description",
    "road_name",
    "responsible_unit",
    "synthetic",
)
TIMES = (
    "reported_at",
    "acknowledged_at",
    "dispatched_at",
    "resolved_at",
    "closed_at",
    "updated_at",
)
MAX_LIMIT = 1000


def incident_feature(incident: Incident) -> dict[str, Any]:
    """One incident as a GeoJSON Feature (lon/lat order)."""
    props: dict[str, Any] = {name: getattr(incident, name) for name in PROPERTIES}
    for name in TIMES:
        value: datetime | None = getattr(incident, name)
        props[name] = value.isoformat() if value else None
    return {
        "type": "Feature",
        "id": incident.pk,
        "geometry": {"type": "Point", "coordinates": [incident.geom.x, incident.geom.y]},
        "properties": props,
    }


@dataclass(frozen=True)
class IncidentFilter:
    """Filters of the incident list, already validated."""

    status: list[str]
    type: list[str]
    severity_min: int | None
    since: datetime | None
    until: datetime | None
    bbox: tuple[float, float, float, float] | None
    limit: int
    offset: int


def get_incident(raw_id: str) -> Incident:
    """An incident by id; a malformed or unknown id is a 404."""
    pk = int_or_none(raw_id)
    if pk is None:
        raise NotFound(f"No incident {raw_id!r}.")
    incident = Incident.objects.filter(pk=pk).first()
    if incident is None:
        raise NotFound(f"No incident {raw_id}.")
    return incident


def filtered(f: IncidentFilter) -> QuerySet[Incident]:
    """The incidents matching a filter, newest first."""
    qs = Incident.objects.all()
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.type:
        qs = qs.filter(type__in=f.type)
    if f.severity_min is not None:
        qs = qs.filter(severity__gte=f.severity_min)
    if f.since is not None:
        qs = qs.filter(reported_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(reported_at__lt=f.until)
    if f.bbox is not None:
        qs = qs.filter(geom__bboverlaps=Polygon.from_bbox(f.bbox))
    return qs


def incident_collection(f: IncidentFilter) -> dict[str, Any]:
    """A page of incidents as a FeatureCollection with the total count."""
    qs = filtered(f)
    if f.limit > MAX_LIMIT:
        raise InvalidParameter(f"limit must be at most {MAX_LIMIT}.", field="limit")
    page = list(qs[f.offset : f.offset + f.limit])
    return {
        "type": "FeatureCollection",
        "numberMatched": qs.count(),
        "numberReturned": len(page),
        "features": [incident_feature(i) for i in page],
    }
