"""The public reports API: categories, nearby reports, intake, following and reopening."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.core.errors import InvalidParameter, NotFound
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.params import time_param
from geo_ioc.reports import dedupe, limits, photos, queries, services, stats
from geo_ioc.reports.errors import InvalidReport
from geo_ioc.reports.inputs import photos as uploaded
from geo_ioc.reports.inputs import raw_body, validate
from geo_ioc.reports.models import Category, Photo, Report
from geo_ioc.reports.schemas import ReportIn
from layers.access import get_visible_layer

LAYER = services.LAYER


def category_json(c: Category) -> dict[str, Any]:
    """A category as clients list it."""
    return {
        "code": c.code,
        "name_vi": c.name_vi,
        "name_en": c.name_en,
        "group": c.group,
        "description": c.description,
        "resolve_days": c.resolve_days,
    }


@allow("GET")
def categories(request: HttpRequest) -> HttpResponse:
    """The active categories."""
    return json_response(
        {"categories": [category_json(c) for c in Category.objects.filter(active=True)]}
    )


def _float(request: HttpRequest, name: str) -> float:
    try:
        return float(request.GET[name])
    except (KeyError, ValueError):
        raise InvalidParameter(f"{name} must be a number.", field=name) from None


@allow("GET")
def nearby(request: HttpRequest) -> HttpResponse:
    """Open reports of a category near a point (`?category=&lon=&lat=`): "is this yours?"."""
    get_visible_layer(request.user, LAYER)
    category = Category.objects.filter(code=request.GET.get("category", "")).first()
    if category is None:
        raise InvalidParameter("Unknown category.", field="category")
    found = dedupe.nearby(category, _float(request, "lon"), _float(request, "lat"))
    features = []
    for report, metres in found:
        feature = queries.report_feature(report)
        feature["properties"]["distance_m"] = round(metres, 1)
        features.append(feature)
    return json_response({"type": "FeatureCollection", "features": features})


def intake(request: HttpRequest, data: ReportIn) -> Report:
    """Create a report with its photos (each processed; any bad photo refuses the report)."""
    files = uploaded(request)
    processed = [photos.process(b) for b in files]  # refuse before anything is written
    with transaction.atomic():
        report = services.create_report(data, request.user, ip=limits.client_ip(request))
        for done in processed:
            photos.save(report, done)
    return report


@allow("POST")
def create(request: HttpRequest) -> HttpResponse:
    """A citizen's report (JSON, or a form with up to 3 `photo` files)."""
    get_visible_layer(request.user, LAYER)
    limits.check(request, "report")
    raw = raw_body(request)
    raw["source"] = Report.Source.WEB
    report = intake(request, validate(ReportIn, raw))
    return json_response(
        {
            "code": report.code,
            "url": f"/phan-anh/{report.code}",
            "report": queries.report_feature(report),
        },
        status=201,
    )


@allow("POST")
def photo_location(request: HttpRequest) -> HttpResponse:
    """The location in a photo's EXIF, offered as the report's place (nothing is stored)."""
    limits.check(request, "photo_location", per_hour=120)
    files = uploaded(request)
    if not files:
        raise InvalidReport("Send one photo.", field="photo")
    done = photos.process(files[0])
    lonlat = done.gps
    return json_response(
        {"lon": lonlat[0], "lat": lonlat[1]} if lonlat else {"lon": None, "lat": None}
    )


@allow("GET")
def public_report(request: HttpRequest, code: str) -> HttpResponse:
    """A report's public page data: status, history of public steps, the answer."""
    get_visible_layer(request.user, LAYER)
    report = queries.get_report(code)
    return json_response(
        {"report": queries.report_feature(report), "steps": queries.public_steps(report)}
    )


def _key(raw: dict[str, Any]) -> str:
    key = str(raw.get("key") or "").strip()
    if not 8 <= len(key) <= 200:
        raise InvalidReport("key (a device id or an e-mail) is required.", field="key")
    return key


@allow("POST")
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """Follow a report by its code (`{"key": device id or e-mail}`)."""
    get_visible_layer(request.user, LAYER)
    limits.check(request, "follow", per_hour=60)
    report = queries.get_report(code)
    services.follow(report.code, _key(raw_body(request)))
    return json_response({"code": report.code, "following": True})


@allow("POST")
def reopen(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter reopens a resolved or rejected report within 7 days."""
    get_visible_layer(request.user, LAYER)
    limits.check(request, "reopen")
    raw = raw_body(request)
    report = queries.get_report(code)
    done = services.reopen(report.code, str(raw.get("note") or ""), _key(raw))
    return json_response({"report": queries.report_feature(done)})


@allow("GET")
def photo(request: HttpRequest, photo_id: int, size: str = "full") -> HttpResponse:
    """A stored photo (already blurred and stripped), or its thumbnail."""
    get_visible_layer(request.user, LAYER)
    found = (
        Photo.objects.filter(pk=photo_id)
        .only("image" if size == "full" else "thumbnail", "content_type")
        .first()
    )
    if found is None:
        raise NotFound("No such photo.")
    body = bytes(found.image if size == "full" else found.thumbnail)
    response = HttpResponse(body, content_type=found.content_type)
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@allow("GET")
def indicators(request: HttpRequest) -> HttpResponse:
    """Indicators by `group` (total, unit, category, area) for reports received in a window."""
    get_visible_layer(request.user, LAYER)
    group = request.GET.get("group", "total")
    if group not in stats.GROUPS:
        raise InvalidParameter(f"group must be one of {', '.join(stats.GROUPS)}.", field="group")
    until = time_param(request, "until") or timezone.now()
    since = time_param(request, "since") or until - timedelta(days=30)
    rows = stats.figures(group, since, until)
    return json_response(
        {
            "group": group,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "rows": [r.model_dump() for r in rows],
        }
    )


@allow("GET")
def overdue_areas(request: HttpRequest) -> HttpResponse:
    """The choropleth of open and overdue reports per commune (GeoJSON)."""
    get_visible_layer(request.user, LAYER)
    return json_response(stats.overdue_by_area())
