"""HTTP API of stations and readings."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.core.errors import InvalidParameter, NotAuthenticated, NotFound, PermissionDenied
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.inputs import json_body
from geo_ioc.core.params import int_param, time_param
from geo_ioc.core.roles import Role, user_roles
from geo_ioc.sensors import queries, services
from geo_ioc.sensors.errors import BatchTooLarge, InvalidReadings
from geo_ioc.sensors.models import Station
from geo_ioc.sensors.validation import PARAMETERS
from layers.access import get_visible_layer

METHOD = "VN_AQI, QĐ 1459/QĐ-TCMT (2019)"
WRITERS = {Role.OPERATOR.value, Role.ADMIN.value}


def _station(code: str) -> Station:
    station = Station.objects.filter(code=code).first()
    if station is None:
        raise NotFound(f"No station {code!r}.", field="station")
    return station


def _can_send(request: HttpRequest) -> None:
    """Readings come from operators, admins and the gateways' tokens (users in those roles)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Sending readings requires an API token of an operator or admin.")
    if not user_roles(request.user) & WRITERS:
        raise PermissionDenied("Only operators, admins and gateways send readings.")


@allow("POST")
def post_readings(request: HttpRequest) -> HttpResponse:
    """Ingest a batch: good rows are stored even when others are refused (all listed)."""
    get_visible_layer(request.user, services.LAYER)
    _can_send(request)
    body = json_body(request.body, error=InvalidReadings)
    batch = body.get("readings") if isinstance(body, dict) else body
    if not isinstance(batch, list) or not batch:
        raise InvalidReadings()
    if len(batch) > services.MAX_BATCH:
        raise BatchTooLarge(
            f"A batch holds at most {services.MAX_BATCH} readings, got {len(batch)}.",
            field="readings",
        )
    report = services.ingest(batch)
    # 422 only when nothing in the batch was usable; otherwise the report lists what was refused.
    usable = report.inserted + report.duplicates
    return json_response(report.as_dict(), status=422 if report.rejected and not usable else 200)


@allow("GET")
def stations(request: HttpRequest) -> HttpResponse:
    """All stations as GeoJSON with latest AQI, band, dominant pollutant and freshness."""
    get_visible_layer(request.user, services.LAYER)
    now = timezone.now()
    features = [queries.station_feature(s, now) for s in Station.objects.all()]
    return json_response({"type": "FeatureCollection", "features": features})


@allow("GET")
def station(request: HttpRequest, code: str) -> HttpResponse:
    """One station."""
    get_visible_layer(request.user, services.LAYER)
    return json_response(queries.station_feature(_station(code)))


@allow("GET")
def station_aqi(request: HttpRequest, code: str) -> HttpResponse:
    """Hourly VN_AQI of the last `hours` hours up to now (1–168, default 24)."""
    get_visible_layer(request.user, services.LAYER)
    hours = int_param(request, "hours", 24, 1, 168)
    found = _station(code)
    return json_response(
        {
            "station": found.code,
            "method": METHOD + ", NowCast for PM",
            "stale": queries.is_stale(found),
            "hours": queries.aqi_series(found, hours),
        }
    )


@allow("GET")
def station_aqi_daily(request: HttpRequest, code: str) -> HttpResponse:
    """Daily VN_AQI of the last `days` local days, today so far (1–31, default 7)."""
    get_visible_layer(request.user, services.LAYER)
    days = int_param(request, "days", 7, 1, 31)
    found = _station(code)
    return json_response(
        {
            "station": found.code,
            "method": METHOD + ", daily",
            "time_zone": settings.TIME_ZONE,
            "days": queries.daily_series(found, days),
        }
    )


@allow("GET")
def station_readings(request: HttpRequest, code: str) -> HttpResponse:
    """A station's readings, newest first (`pollutant`, `since`, `until`, `limit` ≤ 1000)."""
    get_visible_layer(request.user, services.LAYER)
    limit = int_param(request, "limit", 100, 1, 1000)
    since, until = time_param(request, "since"), time_param(request, "until")
    if since and until and since >= until:
        raise InvalidParameter("since must be before until.", field="since")
    pollutant = request.GET.get("pollutant") or None
    if pollutant is not None and pollutant not in PARAMETERS:
        raise InvalidParameter(
            f"pollutant {pollutant!r} is not one of {', '.join(PARAMETERS)}.", field="pollutant"
        )
    found = _station(code)
    rows = queries.readings(found, pollutant, since, until, limit)
    return json_response({"station": found.code, "readings": rows})
