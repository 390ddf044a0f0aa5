"""The map client's pages."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

# The demo city; a deployment may name its own (GEO_IOC_CITY_* settings, when they exist).
DEFAULT_CITY = "Đà Lạt"
DEFAULT_PROVINCE = "Lâm Đồng"
# Where the map opens when the catalogue has no extents: central Đà Lạt (lon, lat).
DEFAULT_CENTER = (108.4419, 11.9404)


@require_GET
@ensure_csrf_cookie  # the client sends it back on its writes (acknowledge, transitions)
def index(request: HttpRequest) -> HttpResponse:
    """The full-screen map of the city."""
    context = {
        "city": getattr(settings, "GEO_IOC_CITY_NAME", DEFAULT_CITY),
        "province": getattr(settings, "GEO_IOC_CITY_PROVINCE", DEFAULT_PROVINCE),
        "center": getattr(settings, "GEO_IOC_CITY_CENTER", DEFAULT_CENTER),
    }
    return render(request, "client/index.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness with a database round trip."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
