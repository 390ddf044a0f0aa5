"""HTTP API of the indicators: the KPI strip and the time slider's replay."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.core.http import allow, json_response
from geo_ioc.core.params import int_param
from geo_ioc.indicators import queries, replay
from layers.access import visible_layers

MAX_HOURS = 72


def _visible(request: HttpRequest) -> set[str]:
    return {layer.slug for layer in visible_layers(request.user)}


@allow("GET")
def indicators(request: HttpRequest) -> HttpResponse:
    """`GET /indicators?hours=24`: KPIs of what the caller may see, with hourly series."""
    hours = int_param(request, "hours", 24, 1, MAX_HOURS)
    body = queries.indicators(_visible(request), timezone.now(), hours)
    response = json_response(body.model_dump(mode="json"))
    response["Cache-Control"] = "private, no-cache"
    return response


@allow("GET")
def timeline(request: HttpRequest) -> HttpResponse:
    """`GET /indicators/timeline?hours=24`: incidents and station AQI to replay on the map."""
    hours = int_param(request, "hours", 24, 1, MAX_HOURS)
    visible = _visible(request)
    body = replay.timeline(
        timezone.now(),
        hours,
        with_incidents=queries.INCIDENTS in visible,
        with_stations=queries.STATIONS in visible,
    )
    response = json_response(body.model_dump(mode="json"))
    response["Cache-Control"] = "private, no-cache"
    return response
