"""The pages of reports: the citizen's mobile form and tracking page, the operators' desk."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET

from geo_ioc.client.views import LOGIN_PATH, _city
from geo_ioc.core.http import allow
from geo_ioc.core.roles import user_roles
from geo_ioc.reports.errors import InvalidReport
from geo_ioc.reports.staff import HANDLERS


@require_GET
@ensure_csrf_cookie
def report_page(request: HttpRequest) -> HttpResponse:
    """The public form: category, pin, description, photos, optional contact."""
    return render(request, "reports/report.html", _city())


@require_GET
@ensure_csrf_cookie
def track_page(request: HttpRequest, code: str) -> HttpResponse:
    """A report's public page: status, history, the unit's answer."""
    return render(request, "reports/track.html", {**_city(), "code": code.upper()})


@require_GET
@ensure_csrf_cookie
def desk_page(request: HttpRequest) -> HttpResponse:
    """The operators' desk: reports arriving live, hotline 1022 intake."""
    if not (request.user.is_authenticated and user_roles(request.user) & HANDLERS):
        return HttpResponseRedirect(f"{LOGIN_PATH}?{urlencode({'next': request.path})}")
    return render(request, "reports/desk.html", _city())


@csrf_exempt  # the signed link is the capability; mail clients POST it one-click (RFC 8058)
@ensure_csrf_cookie
@allow("GET", "POST")
def unsubscribe_page(request: HttpRequest, code: str) -> HttpResponse:
    """The link in each message: GET asks to confirm, POST stops messages about the report."""
    from geo_ioc.reports import notify

    message, signature = request.GET.get("m", ""), request.GET.get("s", "")
    row = notify.check_link(code.upper(), message, signature)
    if row is None:
        raise InvalidReport("This unsubscribe link is not valid.", field="s")
    done = request.method == "POST"
    if done:
        notify.unsubscribe(row)
    context = {**_city(), "code": row.report.code, "done": done, "query": request.GET.urlencode()}
    return render(request, "reports/unsubscribe.html", context)
