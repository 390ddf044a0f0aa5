"""Content-Security-Policy and X-Frame-Options on every answer, without a thread hop.

Django's own middlewares for these are `MiddlewareMixin`s: on the async path (the tiles) each
costs a trip through a thread per request (see `middleware.py`). These headers need no I/O,
so one hybrid middleware sets both. It honours what Django's would: `@csp_override` and
`@xframe_options_exempt` on a view, and a header a view set itself.

The admin's map widget (GeoDjango's OpenLayers) loads its script and style from a CDN and its
background from OpenStreetMap: admin pages allow those origins (GEO_IOC_ADMIN_CSP_SOURCES).
"""

from __future__ import annotations

from collections.abc import Awaitable
from functools import cache
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP, build_policy

from geo_ioc.core.middleware import HybridMiddleware

_ADMIN_DIRECTIVES = {"script-src": 0, "style-src": 0, "img-src": 1}


@cache
def _policy(admin: bool) -> str:
    config: dict[str, Any] = {k: list(v) for k, v in settings.SECURE_CSP.items()}
    if admin:
        cdn, tiles = settings.GEO_IOC_ADMIN_CSP_SOURCES
        for directive, which in _ADMIN_DIRECTIVES.items():
            config.setdefault(directive, ["'self'"]).append((cdn, tiles)[which])
    return build_policy(config)


def add_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Set the headers a response does not carry already."""
    if response.get("X-Frame-Options") is None and not getattr(
        response, "xframe_options_exempt", False
    ):
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    if CSP.HEADER_ENFORCE not in response:
        override = getattr(response, "_csp_config", None)
        if override is not None:
            if override:
                response[CSP.HEADER_ENFORCE] = build_policy(override)
        elif settings.SECURE_CSP:
            response[CSP.HEADER_ENFORCE] = _policy(request.path.startswith("/admin/"))
    return response


class SecurityHeadersMiddleware(HybridMiddleware):
    """CSP (with frame-ancestors) and X-Frame-Options for every response."""

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """Pass the request through and add the headers."""
        if self.async_mode:
            return self.__acall__(request)
        return add_headers(request, cast(HttpResponse, self.get_response(request)))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        """The same for an async chain."""
        response = await cast("Awaitable[HttpResponse]", self.get_response(request))
        return add_headers(request, response)
