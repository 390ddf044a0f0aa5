"""Token authentication for the API, alongside Django's session login."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.api.errors import InvalidToken, error_response
from geo_ioc.api.models import ApiToken, hash_key

_SCHEMES = ("token", "bearer")


def token_from_request(request: HttpRequest) -> str | None:
    """The key from `Authorization: Token <key>` (or Bearer), if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() in _SCHEMES and key.strip():
        return key.strip()
    return None


class TokenAuthenticationMiddleware:
    """Authenticate requests that carry an API token; a bad token is a 401, never anonymous."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Resolve the token's user before the view runs."""
        key = token_from_request(request)
        if key is not None:
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=hash_key(key), revoked=False, user__is_active=True)
                .first()
            )
            if token is None:
                return error_response(InvalidToken())
            request.user = token.user
            # A token is not a browser cookie: CSRF does not apply to it.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            if token.last_used is None or (timezone.now() - token.last_used).total_seconds() > 60:
                ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
        return self.get_response(request)
