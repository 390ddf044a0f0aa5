"""HTTP endpoints of the catalogue."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from geo_ioc.core.http import allow, json_response
from layers import queries


@allow("GET")
def catalogue(request: HttpRequest) -> JsonResponse:
    """`GET /layers`: the layers the caller may see, with extents and TileJSON links."""
    return json_response(queries.catalogue(request))
