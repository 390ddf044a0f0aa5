"""Small helpers shared by the API views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from geo_ioc.api.errors import MethodNotAllowed, PermissionDenied, error_response

View = Callable[..., HttpResponse]


def allow(*methods: str) -> Callable[[View], View]:
    """Only these HTTP methods (HEAD comes with GET); others get a JSON 405."""
    allowed = {m.upper() for m in methods} | ({"HEAD"} if "GET" in methods else set())
    read_only = allowed <= {"GET", "HEAD", "OPTIONS"}

    def deco(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = error_response(
                    MethodNotAllowed(
                        f"{request.method} is not allowed here; use {', '.join(sorted(allowed))}."
                    )
                )
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            return view(request, *args, **kwargs)

        # A read-only view refuses every unsafe method itself, so CSRF has nothing to protect:
        # exempting it lets a stray DELETE get the honest 405 instead of a CSRF 403.
        return csrf_exempt(wrapper) if read_only else wrapper

    return deco


def json_response(data: Any, status: int = 200) -> JsonResponse:
    """JSON with Vietnamese text kept readable (not escaped)."""
    return JsonResponse(
        data, status=status, safe=isinstance(data, dict), json_dumps_params={"ensure_ascii": False}
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF refusals in the API's JSON format."""
    return error_response(
        PermissionDenied(
            "CSRF check failed: send the CSRF token, or authenticate with an API token."
        )
    )
