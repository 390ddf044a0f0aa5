"""The staff side of reports (operators and admins only).

The list with contacts, hotline 1022 intake, workflow steps, turning a report into an incident.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from geo_ioc.core.errors import NotAuthenticated, PermissionDenied
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.params import int_param
from geo_ioc.core.roles import Role, user_roles
from geo_ioc.reports import notify, queries, services
from geo_ioc.reports.api import intake
from geo_ioc.reports.inputs import photos, raw_body, validate
from geo_ioc.reports.models import Report, ReportContact, Unit
from geo_ioc.reports.schemas import CallerFollowIn, IncidentIn, ReportIn, StepIn
from geo_ioc.reports.workflow import OPEN

HANDLERS = {Role.OPERATOR.value, Role.ADMIN.value}


def require_staff(request: HttpRequest) -> None:
    """Only operators and admins handle reports and see contacts."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Handling reports requires an operator's login or API token.")
    if not user_roles(request.user) & HANDLERS:
        raise PermissionDenied("Only operators and admins handle reports.")


def contact_json(report: Report) -> dict[str, str]:
    """The reporter's contact (staff only)."""
    c = ReportContact.objects.filter(report=report).first()
    if c is None:
        return {}
    return {"name": c.name, "phone": c.phone, "email": c.email}


def staff_json(report: Report) -> dict[str, Any]:
    """A report as handling staff see it: public fields, unit code, contact, every step."""
    body = queries.report_feature(report)
    body["properties"].update(
        unit_code=report.unit.code if report.unit else "",
        incident=report.incident_id,
        contact=contact_json(report),
        steps=queries.staff_steps(report),
        notifications=notify.staff_outbox(report),
    )
    return body


@allow("GET")
def reports(request: HttpRequest) -> HttpResponse:
    """Reports for the desk, newest first (`?open=1`, `?overdue=1`, `?limit=`)."""
    require_staff(request)
    qs = Report.objects.select_related("category", "unit", "duplicate_of")
    if request.GET.get("open") == "1":
        qs = qs.filter(status__in=OPEN)
    if request.GET.get("overdue") == "1":
        qs = qs.filter(overdue=True)
    limit = int_param(request, "limit", 50, 1, 500)
    return json_response(
        {"type": "FeatureCollection", "features": [queries.report_feature(r) for r in qs[:limit]]}
    )


@allow("GET")
def report(request: HttpRequest, code: str) -> HttpResponse:
    """One report with its contact and full history."""
    require_staff(request)
    return json_response(staff_json(queries.get_report(code)))


@allow("POST")
def hotline(request: HttpRequest) -> HttpResponse:
    """An operator records a phone report; the caller's number stays private."""
    require_staff(request)
    raw = raw_body(request)
    raw["source"] = Report.Source.HOTLINE
    created = intake(request, validate(ReportIn, raw))
    return json_response(staff_json(created), status=201)


@allow("POST")
def caller_follows(request: HttpRequest, code: str) -> HttpResponse:
    """A hotline caller follows an open report instead of filing a duplicate (number private)."""
    require_staff(request)
    found = queries.get_report(code)
    data = validate(CallerFollowIn, raw_body(request))
    done = services.follow(found.code, services.phone_key(data.phone))
    return json_response(staff_json(done))


@allow("POST")
def step(request: HttpRequest, code: str) -> HttpResponse:
    """A workflow step (`action`: route, accept, start, progress, resolve, close, reject)."""
    require_staff(request)
    found = queries.get_report(code)
    data = validate(StepIn, raw_body(request))
    answer = photos(request)
    done = services.step(found.code, data, request.user, photo=answer[0] if answer else None)
    return json_response(staff_json(done))


@allow("POST")
def incident(request: HttpRequest, code: str) -> HttpResponse:
    """Open an incident from the report; the report keeps the link."""
    require_staff(request)
    found = queries.get_report(code)
    data = validate(IncidentIn, raw_body(request))
    done = services.to_incident(found.code, data.type, data.severity, request.user)
    return json_response(staff_json(done), status=201)


@allow("GET")
def units(request: HttpRequest) -> HttpResponse:
    """The units reports are routed to."""
    require_staff(request)
    return json_response(
        {
            "units": [
                {"code": u.code, "name": u.name, "parent": u.parent.code if u.parent else None}
                for u in Unit.objects.select_related("parent").order_by("code")
            ]
        }
    )
