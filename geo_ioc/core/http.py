"""Small helpers shared by the API views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from geo_ioc.core.errors import MethodNotAllowed, PermissionDenied, error_response

View = Callable[..., HttpResponse]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Run Django's CSRF check for a browser session; None when it passes."""
    check = CsrfViewMiddleware(lambda _: HttpResponse())
    return check.process_view(request, lambda _: HttpResponse(), (), {})


def allow(*methods: str) -> Callable[[View], View]:
    """Only these HTTP methods (HEAD comes with GET); others get a JSON 405.

    CSRF is checked here rather than by the middleware, and only where it protects something:
    for unsafe methods of a user logged in by session cookie. A request with an API token is
    not forgeable by a third-party page, and an anonymous one has no session to abuse: it gets
    the view's honest 401 instead of a CSRF 403.
    """
    allowed = {m.upper() for m in methods} | ({"HEAD"} if "GET" in methods else set())

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
            if request.method not in SAFE_METHODS and request.user.is_authenticated:
                refusal = _csrf_refusal(request)
                if refusal is not None:
                    return refusal
            return view(request, *args, **kwargs)

        return csrf_exempt(wrapper)

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
