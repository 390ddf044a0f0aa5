"""The pages of reports: the citizen's mobile form and tracking page, the operators' desk."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from geo_ioc.client.views import LOGIN_PATH, _city
from geo_ioc.core.roles import user_roles
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
