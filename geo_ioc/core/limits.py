"""Where the rate limits apply: logins (lockout), writes and export starts.

Failed logins count per account and per address (Django's `user_login_failed`); once either is
over its limit, a login POST is refused with a JSON 429 before the view runs, so a refusal costs
a counter read instead of a password hash. A successful login clears the account's failures.
Failed API tokens are counted in `geo_ioc.core.auth`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from geo_ioc.core import throttle
from geo_ioc.core.errors import error_response
from geo_ioc.core.http import SAFE_METHODS
from geo_ioc.core.middleware import HybridMiddleware

LOGIN_PATHS = {"/login", "/admin/login/"}
# Paths that start an export (a file made from a layer): GET /export/{layer}, POST /exports.
EXPORT_PREFIXES = ("/export/", "/exports")
EXPORT_GET = re.compile(r"^/export/[^/]+/?$")
EXPORT_POST = re.compile(r"^/exports/?$")


def _username(request: HttpRequest) -> str:
    return str(request.POST.get("username", "")).strip().lower()[:150]


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{throttle.client_ip(request)}"


def refusal(request: HttpRequest) -> HttpResponse | None:
    """The 429 for this request, if a limit refuses it (counts writes and export starts)."""
    try:
        if request.method == "POST" and request.path in LOGIN_PATHS:
            ip = throttle.client_ip(request)
            wait = throttle.blocked(throttle.rule("login_ip"), ip) or throttle.blocked(
                throttle.rule("login_account"), _username(request)
            )
            if wait is not None:
                raise throttle.Throttled(wait, "Too many failed logins; try again later.")
            return None
        starts = EXPORT_POST if request.method == "POST" else EXPORT_GET
        if request.method in ("GET", "POST") and starts.match(request.path):
            throttle.enforce(throttle.rule("export"), _who(request), "Too many exports started.")
        if request.method not in SAFE_METHODS:
            throttle.enforce(throttle.rule("write"), _who(request), "Too many writes.")
    except throttle.Throttled as exc:
        return error_response(exc)
    return None


class ThrottleMiddleware(HybridMiddleware):
    """Refuse what a limit refuses, after authentication (limits are per user when known)."""

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """Check, then pass the request on."""
        if self.async_mode:
            return self.__acall__(request)
        return refusal(request) or cast(HttpResponse, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        """The same, with the counter's query in a thread (safe requests need none)."""
        if request.method not in SAFE_METHODS or request.path.startswith(EXPORT_PREFIXES):
            # The session's user is loaded lazily: resolve it in the same thread.
            found = await sync_to_async(refusal)(request)
            if found is not None:
                return found
        return await cast("Awaitable[HttpResponse]", self.get_response(request))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    username = str(credentials.get("username", "")).strip().lower()[:150]
    if username:
        throttle.hit(throttle.rule("login_account"), username)
    if request is not None:
        throttle.hit(throttle.rule("login_ip"), throttle.client_ip(request))


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    throttle.clear(throttle.rule("login_account"), user.get_username().lower())
