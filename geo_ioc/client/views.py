"""The map client's pages: the console, one page per wall screen, and the login."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from geo_ioc.core.params import int_param
from geo_ioc.core.roles import Role, user_roles
from geo_ioc.sensors import health as sensor_health
from geo_ioc.walls import layout

# The demo city; a deployment may name its own (GEO_IOC_CITY_* settings, when they exist).
DEFAULT_CITY = "Đà Lạt"
DEFAULT_PROVINCE = "Lâm Đồng"
# Where the map opens when the catalogue has no extents: central Đà Lạt (lon, lat).
DEFAULT_CENTER = (108.4419, 11.9404)
DRIVERS = {Role.OPERATOR.value, Role.ADMIN.value}
LOGIN_PATH = "/login"


def _city() -> dict[str, Any]:
    return {
        "city": getattr(settings, "GEO_IOC_CITY_NAME", DEFAULT_CITY),
        "province": getattr(settings, "GEO_IOC_CITY_PROVINCE", DEFAULT_PROVINCE),
        "center": getattr(settings, "GEO_IOC_CITY_CENTER", DEFAULT_CENTER),
    }


def _session(request: HttpRequest) -> dict[str, Any]:
    """Who is at the console, what they may do, and the walls they may drive."""
    roles = sorted(user_roles(request.user))
    can_drive = bool(DRIVERS & set(roles))
    # In the layout file's order: the first wall is the one the console drives by default.
    walls = [
        {"name": name, "title": wall.title.model_dump()}
        for name, wall in layout.load().walls.items()
    ]
    return {
        "user": request.user.get_username() if request.user.is_authenticated else None,
        "roles": roles,
        "can_drive": can_drive,
        "can_act": can_drive,
        "walls": walls if can_drive else [],
    }


@require_GET
@ensure_csrf_cookie  # the client sends it back on its writes (acknowledge, transitions)
def index(request: HttpRequest) -> HttpResponse:
    """The console: the full-screen map of the city with the operator's panels."""
    return render(request, "client/index.html", {**_city(), "session": _session(request)})


@require_GET
@ensure_csrf_cookie
def wall(request: HttpRequest, name: str) -> HttpResponse:
    """One screen of a video wall (`?screen=N`): the view the wall's layout puts there."""
    if not request.user.is_authenticated:
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{LOGIN_PATH}?{query}")
    total = layout.get_wall(name)
    screen = int_param(request, "screen", 1, 1, total.rows * total.columns)
    info = layout.screen_info(name, screen)
    # A map for the kinds that have one, whichever app contributed the kind.
    has_map = info.view is not None and layout.screen_kinds()[info.view.kind].has_map
    context = {**_city(), "screen": info.model_dump(mode="json"), "info": info, "has_map": has_map}
    return render(request, "client/wall.html", context)


class LoginView(auth_views.LoginView):
    """The operators' login, in the console's look."""

    template_name = "client/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The city's name for the page."""
        return {**super().get_context_data(**kwargs), **_city()}


class LogoutView(auth_views.LogoutView):
    """Log out (POST) and return to the map."""

    next_page = "/"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness with a database round trip, and the MQTT consumers'.

    The consumers' part is informative: a stopped consumer does not make the web server unhealthy.
    """
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "mqtt": sensor_health.summary()})
