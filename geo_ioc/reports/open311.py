"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the reports.

Services are the categories, service requests the reports, `service_request_id` the tracking
code. JSON and XML as the spec shows them; errors as the spec's list of `{code, description}`.
`GET requests` takes the spec's filters plus an extension: `lat`, `long` and `radius` (metres).
Contacts are accepted on POST and never returned.
"""

from __future__ import annotations

import hashlib
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from geo_ioc.core.errors import ApiError
from geo_ioc.core.http import json_response
from geo_ioc.reports import limits, photos, services
from geo_ioc.reports.errors import InvalidReport
from geo_ioc.reports.inputs import validate
from geo_ioc.reports.models import Category, ClientApp, Photo, Report
from geo_ioc.reports.schemas import ReportIn
from geo_ioc.reports.workflow import DONE

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90


class Open311Error(ApiError):
    """An error in the spec's shape."""


def _error(status: int, description: str) -> Open311Error:
    err = Open311Error(description)
    err.status = status  # type: ignore[misc]
    return err


def issue_key(name: str) -> str:
    """A new api_key for a client application (shown once; stored hashed)."""
    key = secrets.token_urlsafe(24)
    ClientApp.objects.update_or_create(name=name, defaults={"key_hash": _hash(key), "active": True})
    return key


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- rendering ------------------------------------------------------------------------------


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        _fill(ET.SubElement(top, item), row)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")


def _fill(node: ET.Element, row: dict[str, Any]) -> None:
    for key, value in row.items():
        child = ET.SubElement(node, key)
        if isinstance(value, list):
            singular = {
                "attributes": "attribute",
                "values": "value",
                "endpoints": "endpoint",
                "formats": "format",
            }.get(key, "item")
            for v in value:
                sub = ET.SubElement(child, singular)
                if isinstance(v, dict):
                    _fill(sub, v)
                else:
                    sub.text = _text(v)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(fmt: str, root: str, item: str, data: Any, status: int = 200) -> HttpResponse:
    """JSON (a list, or an object for discovery and definitions) or XML."""
    if fmt == "xml":
        rows = data if isinstance(data, list) else [data]
        body = _xml(root, item, rows) if isinstance(data, list) else _xml_object(root, data)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return json_response(data, status=status)


def _xml_object(root: str, data: dict[str, Any]) -> bytes:
    top = ET.Element(root)
    _fill(top, data)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Format check, jurisdiction check and spec-shaped errors for every Open311 view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in ("json", "xml"):
            return render(
                "json",
                "errors",
                "error",
                [{"code": 404, "description": f"Unknown format {fmt!r}."}],
                404,
            )
        try:
            wanted = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
            if wanted and wanted != settings.GEO_IOC_REPORTS_JURISDICTION:
                raise _error(404, f"jurisdiction_id {wanted!r} not found.")
            return view(request, *args, fmt=fmt, **kwargs)
        except ApiError as exc:
            return render(
                fmt,
                "errors",
                "error",
                [{"code": exc.status, "description": exc.message}],
                exc.status,
            )

    return csrf_exempt(wrapper)


# --- resources ------------------------------------------------------------------------------


def _w3c(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the GeoReport v2 endpoint is and what it speaks."""
    base = request.build_absolute_uri("/open311/v2/").rstrip("/")
    body = {
        "changeset": _w3c(timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)),
        "contact": "Đường dây nóng 1022",
        "key_service": "Liên hệ Trung tâm Điều hành thông minh để nhận api_key",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": "2026-01-01T00:00:00Z",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", "", body)


def _service(c: Category) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name_vi,
        "description": c.description or c.name_en,
        "metadata": bool(c.attributes),
        "type": "realtime",
        "keywords": c.keywords,
        "group": c.group,
    }


@endpoint
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """The categories as services."""
    if request.method != "GET":
        raise _error(405, "Use GET.")
    rows = [_service(c) for c in Category.objects.filter(active=True)]
    return render(fmt, "services", "service", rows)


@endpoint
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """A service's extra attributes."""
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise _error(404, f"service_code {code!r} not found.")
    attributes = [
        {
            "variable": True,
            "code": a["code"],
            "datatype": a.get("datatype", "string"),
            "required": bool(a.get("required", False)),
            "datatype_description": a.get("datatype_description", ""),
            "order": i + 1,
            "description": a.get("description", a["code"]),
            "values": [{"key": v["key"], "name": v["name"]} for v in a.get("values", [])],
        }
        for i, a in enumerate(category.attributes)
    ]
    return render(
        fmt, "service_definition", "", {"service_code": category.code, "attributes": attributes}
    )


def request_json(report: Report, base: str, photo_id: int | None) -> dict[str, Any]:
    """A report as a GeoReport service request (no contact)."""
    closed = report.status in DONE
    return {
        "service_request_id": report.code,
        "status": "closed" if closed else "open",
        "status_notes": report.reason or report.answer or report.get_status_display(),
        "service_name": report.category.name_vi,
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.unit.name if report.unit else "",
        "service_notice": "",
        "requested_datetime": _w3c(report.received_at),
        "updated_datetime": _w3c(report.updated_at),
        "expected_datetime": _w3c(report.due_resolve_at),
        "address": report.address or report.area_name,
        "address_id": "",
        "zipcode": "",
        "lat": report.geom.y,
        "long": report.geom.x,
        "media_url": f"{base}/reports/photos/{photo_id}.jpg" if photo_id else "",
    }


def _first_photos(reports: list[Report]) -> dict[int, int]:
    rows = Photo.objects.filter(report__in=reports, role="report").order_by("-pk")
    return dict(rows.values_list("report_id", "pk"))


def _requests_out(request: HttpRequest, fmt: str, reports: list[Report]) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    firsts = _first_photos(reports)
    rows = [request_json(r, base, firsts.get(r.pk)) for r in reports]
    return render(fmt, "service_requests", "request", rows)


def _date(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        raise _error(400, f"{name} must be a W3C datetime, e.g. 2026-01-01T00:00:00Z.")
    return value if value.tzinfo else timezone.make_aware(value)


def _number(request: HttpRequest, name: str) -> float | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise _error(400, f"{name} must be a number.") from None


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = Report.objects.select_related("category", "unit").order_by("-received_at")
    ids = [i for i in request.GET.get("service_request_id", "").split(",") if i]
    if ids:  # overrides the other filters (spec)
        return _requests_out(request, fmt, list(qs.filter(code__in=ids)[:MAX_REQUESTS]))
    codes = [c for c in request.GET.get("service_code", "").split(",") if c]
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = {s for s in request.GET.get("status", "").split(",") if s}
    if statuses - {"open", "closed"}:
        raise _error(400, "status must be open or closed.")
    if statuses == {"open"}:
        qs = qs.exclude(status__in=DONE)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=DONE)
    end = _date(request, "end_date") or timezone.now()
    start = _date(request, "start_date") or end - timedelta(days=DEFAULT_DAYS)
    if end - start > timedelta(days=DEFAULT_DAYS):
        raise _error(400, "start_date and end_date may not span more than 90 days.")
    qs = qs.filter(received_at__gte=start, received_at__lte=end)
    lat, lon, radius = (_number(request, n) for n in ("lat", "long", "radius"))
    if (lat is None) != (lon is None):
        raise _error(400, "Give both lat and long.")
    if lat is not None and lon is not None:
        if radius is None or not 0 < radius <= 10_000:
            raise _error(400, "radius (metres, up to 10000) is required with lat and long.")
        qs = qs.filter(geom__distance_lte=(Point(lon, lat, srid=4326), D(m=radius)))
    return _requests_out(request, fmt, list(qs[:MAX_REQUESTS]))


def _client(request: HttpRequest) -> ClientApp:
    key = request.POST.get("api_key", "")
    client = ClientApp.objects.filter(key_hash=_hash(key), active=True).first() if key else None
    if client is None:
        raise _error(403, "api_key is missing or not valid.")
    return client


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    limits.check(request, f"open311:{client.pk}", per_hour=1000)
    p = request.POST
    if not p.get("lat") or not p.get("long"):
        raise _error(400, "lat and long are required (address_string alone is not geocoded).")
    code = p.get("service_code", "")
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise _error(404, f"service_code {code!r} not found.")
    attrs = {k[10:-1]: v for k, v in p.items() if k.startswith("attribute[") and k.endswith("]")}
    for a in category.attributes:
        if a.get("required") and not attrs.get(a["code"]):
            raise _error(400, f"attribute[{a['code']}] is required.")
    name = " ".join(x for x in (p.get("first_name", ""), p.get("last_name", "")) if x)
    try:
        data = validate(
            ReportIn,
            {
                "category": code,
                "lat": p["lat"],
                "lon": p["long"],
                "description": p.get("description", ""),
                "address": p.get("address_string", ""),
                "attributes": attrs,
                "source": Report.Source.OPEN311,
                "contact": {
                    "name": name,
                    "phone": p.get("phone", ""),
                    "email": p.get("email", ""),
                    "device_id": p.get("device_id", ""),
                },
            },
        )
    except InvalidReport as exc:
        raise _error(400, exc.message) from None
    media = request.FILES.get("media")
    processed = photos.process(media.read()) if media else None  # refused before any write
    with transaction.atomic():
        report = services.create_report(data, None, ip=limits.client_ip(request), client=client)
        if processed is not None:
            photos.save(report, processed)
    row = {"service_request_id": report.code, "service_notice": "", "account_id": ""}
    return render(fmt, "service_requests", "request", [row], 201)


@endpoint
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: search service requests; POST: create one (api_key required)."""
    if request.method == "POST":
        return _post(request, fmt)
    if request.method != "GET":
        raise _error(405, "Use GET or POST.")
    return _search(request, fmt)


@endpoint
def request_one(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """One service request, as a list of one (spec)."""
    report = Report.objects.select_related("category", "unit").filter(code=code.upper()).first()
    if report is None:
        raise _error(404, f"service_request_id {code!r} not found.")
    return _requests_out(request, fmt, [report])
