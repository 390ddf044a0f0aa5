"""HTTP API of stations and readings."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.api.errors import InvalidParameter, NotFound
from geo_ioc.api.http import allow, json_response
from geo_ioc.operations.api import can_write
from geo_ioc.sensors import queries, services
from geo_ioc.sensors.errors import InvalidReadings
from geo_ioc.sensors.models import Reading, Station
from layers.access import get_visible_layer


def _station(code: str) -> Station:
    station = Station.objects.filter(code=code).first()
    if station is None:
        raise NotFound(f"No station {code!r}.", field="station")
    return station


@allow("POST")
def post_readings(request: HttpRequest) -> HttpResponse:
    """Ingest a batch: good rows are stored even when others are refused (all listed)."""
    get_visible_layer(request.user, services.LAYER)
    can_write(request)
    try:
        body = json.loads(request.body or b"null")
    except json.JSONDecodeError as exc:
        raise InvalidReadings(f"The body is not valid JSON: {exc.msg} at {exc.pos}.") from None
    batch = body.get("readings") if isinstance(body, dict) else body
    if not isinstance(batch, list) or not batch:
        raise InvalidReadings()
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
    """Hourly VN_AQI of the last `hours` hours (1–168, default 24)."""
    get_visible_layer(request.user, services.LAYER)
    raw = request.GET.get("hours", "24")
    if not raw.isdigit() or not 1 <= int(raw) <= 168:
        raise InvalidParameter("hours must be a whole number from 1 to 168.", field="hours")
    found = _station(code)
    return json_response(
        {
            "station": found.code,
            "method": "VN_AQI, QĐ 1459/QĐ-TCMT (2019), NowCast for PM",
            "hours": queries.aqi_series(found, int(raw)),
        }
    )


@allow("GET")
def station_readings(request: HttpRequest, code: str) -> HttpResponse:
    """The newest readings of a station (`pollutant`, `limit` ≤ 1000)."""
    get_visible_layer(request.user, services.LAYER)
    found = _station(code)
    raw = request.GET.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise InvalidParameter("limit must be a whole number from 1 to 1000.", field="limit")
    qs = Reading.objects.filter(station=found).order_by("-time", "pollutant")
    if pollutant := request.GET.get("pollutant"):
        qs = qs.filter(pollutant=pollutant)
    rows = [
        {"time": r.time.isoformat(), "pollutant": r.pollutant, "value": r.value, "unit": r.unit}
        for r in qs[: int(raw)]
    ]
    return json_response({"station": found.code, "readings": rows})
