"""Writes to incidents: each one persists the incident and its event in one transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from geo_ioc.core.live import events
from geo_ioc.operations.errors import InvalidTransition
from geo_ioc.operations.models import Incident
from geo_ioc.operations.queries import incident_feature
from geo_ioc.operations.schemas import IncidentCreate, IncidentUpdate, Transition
from geo_ioc.operations.workflow import STAMP, allowed_next
from layers.models import Layer
from layers.services import refresh_stats

LAYER = "incidents"
User = AbstractBaseUser | AnonymousUser


def _actor(user: User) -> str:
    return str(user.get_username()) if user.is_authenticated else ""


def _changed(incident: Incident, operation: str, user: User) -> None:
    """Record the event of a write (inside its transaction) and keep the stats.

    The alert rules hear of it from the event log when it commits (`rulekinds.on_changes`).
    """
    events.record(LAYER, operation, incident.pk, incident_feature(incident), _actor(user))
    layer = Layer.objects.filter(slug=LAYER).first()
    if layer is not None and operation == "create":
        refresh_stats(layer)


@transaction.atomic
def create_incident(data: IncidentCreate, user: User, *, synthetic: bool = False) -> Incident:
    """Create an incident (status new) and its `create` event."""
    incident = Incident.objects.create(
        code=f"tmp-{timezone.now().timestamp()}",
        type=data.type,
        severity=data.severity,
        source=data.source,
        description=data.description,
        road_name=data.road_name,
        responsible_unit=data.responsible_unit,
        geom=Point(data.lon, data.lat, srid=4326),
        reported_at=timezone.now(),
        created_by=user if user.is_authenticated else None,  # type: ignore[misc]
        synthetic=synthetic,
    )
    # The code follows the database id, so it is unique without a counter table.
    incident.code = f"SC-{timezone.localdate():%Y%m%d}-{incident.pk:05d}"
    incident.save(update_fields=["code"])
    _changed(incident, "create", user)
    return incident


@transaction.atomic
def update_incident(incident_id: int, data: IncidentUpdate, user: User) -> Incident:
    """Change attributes or position of an incident and record an `update` event."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    values = data.model_dump(exclude_none=True, exclude={"lon", "lat"})
    for name, value in values.items():
        setattr(incident, name, value)
    if data.lon is not None and data.lat is not None:
        incident.geom = Point(data.lon, data.lat, srid=4326)
    incident.save()
    _changed(incident, "update", user)
    return incident


@transaction.atomic
def transition_incident(incident_id: int, data: Transition, user: User) -> Incident:
    """Move an incident along the workflow; a skipped or backward step is a 409."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    target = str(data.status)
    allowed = allowed_next(incident.status)
    if target not in allowed:
        hint = f"it can move to {allowed[0]}" if allowed else "it is closed"
        raise InvalidTransition(
            f"Incident {incident.code} is {incident.status}; {hint}, not {target}.", field="status"
        )
    incident.status = target
    setattr(incident, STAMP[target], timezone.now())
    if data.responsible_unit is not None:
        incident.responsible_unit = data.responsible_unit
    incident.save()
    _changed(incident, "transition", user)
    return incident
