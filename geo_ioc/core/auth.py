"""Token authentication for the API, alongside Django's session login."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import cast

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.core import throttle
from geo_ioc.core.errors import InvalidToken, PermissionDenied, error_response
from geo_ioc.core.http import SAFE_METHODS
from geo_ioc.core.middleware import HybridMiddleware
from geo_ioc.core.models import ApiToken, hash_key

_SCHEMES = ("token", "bearer")
# What a gateway token may do: post readings, nothing else.
GATEWAY_PATHS = frozenset({"/sensors/readings"})


class TokenScope(PermissionDenied):
    """The token authenticates, but its scope does not cover the request."""

    code = "token_scope"
    default_message = "This API token's scope does not allow this request."


def scope_refusal(token: ApiToken, method: str, path: str) -> PermissionDenied | None:
    """Why the token's scope refuses a request, if it does."""
    if token.scope == ApiToken.Scope.READ and method not in SAFE_METHODS:
        return TokenScope("A read-only token cannot change anything.")
    if token.scope == ApiToken.Scope.GATEWAY and not (method == "POST" and path in GATEWAY_PATHS):
        return TokenScope("A gateway token may only post readings (POST /sensors/readings).")
    return None


def usable_token(key: str) -> ApiToken | None:
    """The token of a key when it authenticates now (not revoked or expired, user active)."""
    return ApiToken.objects.usable().select_related("user").filter(key_hash=hash_key(key)).first()


def token_from_request(request: HttpRequest) -> str | None:
    """The key from `Authorization: Token <key>` (or Bearer), if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() in _SCHEMES and key.strip():
        return key.strip()
    return None


def authenticate(request: HttpRequest, key: str) -> HttpResponse | None:
    """Make the token's user the request's user; the 401 response when the token is bad.

    Failed keys count per address: past the limit, keys are refused (429) without a lookup.
    """
    ip = throttle.client_ip(request)
    wait = throttle.blocked(throttle.rule("token_ip"), ip)
    if wait is not None:
        return error_response(throttle.Throttled(wait, "Too many invalid API tokens."))
    token = usable_token(key)
    if token is None:
        throttle.hit(throttle.rule("token_ip"), ip)
        return error_response(InvalidToken("The API token is unknown, revoked or expired."))
    refused = scope_refusal(token, request.method or "GET", request.path)
    if refused is not None:
        return error_response(refused)
    user = token.user
    request.user = user
    request.api_token = token  # type: ignore[attr-defined]

    async def auser() -> User | AnonymousUser:
        return user

    # Async code asks `request.auser()`, which would otherwise read the session's user.
    request.auser = auser
    # A token is not a browser cookie: CSRF does not apply to it.
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    if token.last_used is None or (timezone.now() - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return None


class TokenAuthenticationMiddleware(HybridMiddleware):
    """Authenticate requests that carry an API token; a bad token is a 401, never anonymous."""

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """Resolve the token's user before the view runs."""
        if self.async_mode:
            return self.__acall__(request)
        key = token_from_request(request)
        refusal = authenticate(request, key) if key is not None else None
        return refusal or self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        """The same, with the token's lookup in the request's sync thread (it reads the DB)."""
        key = token_from_request(request)
        if key is not None:
            refusal = await sync_to_async(authenticate)(request, key)
            if refusal is not None:
                return refusal
        return await cast("Awaitable[HttpResponse]", self.get_response(request))
