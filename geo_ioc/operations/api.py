"""HTTP API of incidents: list, create, read, update and move along the workflow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel, ValidationError

from geo_ioc.core.errors import InvalidParameter, NotAuthenticated, PermissionDenied
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.inputs import json_body
from geo_ioc.core.params import bbox_param, int_param, time_param
from geo_ioc.core.roles import Role, user_roles
from geo_ioc.operations import queries, services
from geo_ioc.operations.errors import InvalidIncident
from geo_ioc.operations.models import Incident
from geo_ioc.operations.schemas import IncidentCreate, IncidentUpdate, Transition
from geo_ioc.operations.workflow import NEXT
from layers.access import User, get_visible_layer, hidden_fields, redact_feature

WRITERS = {Role.OPERATOR.value, Role.ADMIN.value}


def _body[M: BaseModel](request: HttpRequest, model: type[M]) -> M:
    """The JSON body as a typed model; errors name the field."""
    raw = json_body(request.body, default={}, error=InvalidIncident)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidIncident(f"{field or 'body'}: {first['msg']}", field=field) from None


def can_write(request: HttpRequest) -> None:
    """Only operators and admins change incidents."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Changing incidents requires an operator's login or API token.")
    if not user_roles(request.user) & WRITERS:
        raise PermissionDenied("Only operators and admins change incidents.")


def _csv(request: HttpRequest, name: str, choices: list[str]) -> list[str]:
    values = [v for v in request.GET.get(name, "").split(",") if v]
    bad = [v for v in values if v not in choices]
    if bad:
        raise InvalidParameter(f"{name} {bad[0]!r} is not one of {', '.join(choices)}.", field=name)
    return values


def _filter(request: HttpRequest) -> queries.IncidentFilter:
    return queries.IncidentFilter(
        status=_csv(request, "status", list(Incident.Status.values)),
        type=_csv(request, "type", list(Incident.Type.values)),
        severity_min=int_param(request, "severity_min", None, 1, 4),
        since=time_param(request, "since"),
        until=time_param(request, "until"),
        bbox=bbox_param(request),
        limit=int_param(request, "limit", 100, 1, queries.MAX_LIMIT),
        offset=int_param(request, "offset", 0, 0, 10**9),
    )


def _feature(request: HttpRequest, incident: Incident, status: int = 200) -> HttpResponse:
    hidden = hidden_fields(request.user, services.LAYER)
    return json_response(redact_feature(queries.incident_feature(incident), hidden), status=status)


def _collection(user: User, f: queries.IncidentFilter) -> dict[str, Any]:
    body = queries.incident_collection(f)
    hidden = hidden_fields(user, services.LAYER)
    body["features"] = [redact_feature(feature, hidden) for feature in body["features"]]
    return body


@allow("GET", "POST")
def incidents(request: HttpRequest) -> HttpResponse:
    """GET: incidents (filters: status, type, severity_min, since, until, bbox); POST: create."""
    get_visible_layer(request.user, services.LAYER)
    if request.method == "POST":
        can_write(request)
        created = services.create_incident(_body(request, IncidentCreate), request.user)
        return _feature(request, created, 201)
    return json_response(_collection(request.user, _filter(request)))


@allow("GET", "PATCH")
def incident(request: HttpRequest, incident_id: str) -> HttpResponse:
    """GET: one incident; PATCH: change its attributes or position."""
    get_visible_layer(request.user, services.LAYER)
    found = queries.get_incident(incident_id)
    if request.method == "PATCH":
        can_write(request)
        data = _body(request, IncidentUpdate)
        return _feature(request, services.update_incident(found.pk, data, request.user))
    return _feature(request, found)


@allow("POST")
def transition(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Move an incident to its next status (`{"status": "acknowledged"}`)."""
    get_visible_layer(request.user, services.LAYER)
    found = queries.get_incident(incident_id)
    can_write(request)
    data = _body(request, Transition)
    return _feature(request, services.transition_incident(found.pk, data, request.user))


@allow("GET")
def workflow(request: HttpRequest) -> HttpResponse:
    """The statuses and allowed moves, for clients that draw the workflow."""
    body: dict[str, Any] = {
        "statuses": list(Incident.Status.values),
        "next": {str(k): str(v) for k, v in NEXT.items()},
        "types": list(Incident.Type.values),
    }
    return json_response(body)
