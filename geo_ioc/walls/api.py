"""HTTP API of the walls: their layouts as JSON (the pages are in `geo_ioc.client`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from geo_ioc.core.errors import NotAuthenticated
from geo_ioc.core.http import allow, json_response
from geo_ioc.walls import layout, queries


def _logged_in(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated("Wall layouts are for logged-in users and API tokens.")


@allow("GET")
def walls(request: HttpRequest) -> HttpResponse:
    """`GET /walls`: the walls, with their grid and the URL of each screen."""
    _logged_in(request)
    return json_response({"walls": queries.wall_list()})


@allow("GET")
def wall(request: HttpRequest, name: str) -> HttpResponse:
    """`GET /walls/{name}`: a wall's layout, per screen its view, and its last driven state."""
    _logged_in(request)
    body = layout.layout(name)
    body["state"] = queries.state(name)
    return json_response(body)
