"""HTTP API of the search box."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from geo_ioc.core.http import allow, json_response
from geo_ioc.core.params import int_param
from geo_ioc.search import queries
from geo_ioc.search.errors import InvalidQuery

MIN_LENGTH, MAX_LENGTH = 2, 100
MAX_LIMIT = 50


def _text(request: HttpRequest) -> str:
    text = " ".join(request.GET.get("q", "").split())
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH:
        raise InvalidQuery(
            f"q must be {MIN_LENGTH} to {MAX_LENGTH} characters, got {len(text)}.", field="q"
        )
    return text


@allow("GET")
def search(request: HttpRequest) -> HttpResponse:
    """`GET /search?q=…&limit=10`: places, streets, parcels and incidents, best first."""
    text = _text(request)
    limit = int_param(request, "limit", 10, 1, MAX_LIMIT)
    results = queries.search(request.user, text, limit)
    response = json_response(results.model_dump(mode="json"))
    response["Cache-Control"] = "private, no-cache"
    return response
